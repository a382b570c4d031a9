using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

using OpenTreasury.Domain;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Tests;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Envelopes;

namespace OpenTreasury.Transport.Http.Tests;

/// <summary>Vouchers and status notices between nodes on real HTTP servers: sealed both ways, retried, deduped, refused with codes.</summary>
public sealed class HttpDeliveryTests : IAsyncLifetime
{
    private HttpNetwork _http = null!;

    private TestNetwork Net => _http.Net;

    public async Task InitializeAsync() => _http = await HttpNetwork.StartAsync();

    public async Task DisposeAsync() => await _http.DisposeAsync();

    [Fact]
    public async Task A_voucher_sent_over_http_is_stored_at_the_bank_as_sent_and_its_signing_for_comes_back_over_http()
    {
        var id = Net.SendPayment("ZF-0001");

        Assert.Equal(1, await _http.FinanceWorker.DeliverDueAsync(CancellationToken.None));

        // Stored at the bank byte for byte, with every stamp, and acknowledged at Finance with the bank's sealed answer.
        var sent = Net.Finance.Library.Find(id)!;
        var received = Assert.Single(Net.Bank102.Library.ReadReceived());
        Assert.Equal(sent.InnerXml, received.InnerXml);
        Assert.Equal(sent.Digest, received.Digest);
        Assert.Equal(Stamps(Net.Finance.Library, sent.Id), Stamps(Net.Bank102.Library, received.Id));
        Assert.Equal("finance", received.Sender);
        Assert.Equal(VoucherStatus.Received, TestNetwork.DeliveryOf(Net.Finance, id).Status);
        Assert.NotNull(Assert.Single(HttpNetwork.Outbox(Net.Finance)).DeliveredAt);
        Assert.Equal(1, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM inbox"));

        // The bank signs for it; its signed status notice travels back to Finance's inbox over HTTP.
        Net.Bank102.Library.Run(s => Net.Bank102.Library.SignFor(s, received.Id, TestNetwork.BankClerk)).ThrowIfRefused();
        Assert.Equal(1, await _http.BankWorker.DeliverDueAsync(CancellationToken.None));
        Assert.Equal(VoucherStatus.SignedFor, TestNetwork.DeliveryOf(Net.Finance, id).Status);
        Assert.Equal(1, TestNetwork.Count(Net.Finance, "SELECT COUNT(*) FROM applied_notices"));
    }

    [Fact]
    public async Task A_message_keeps_its_number_over_http_and_a_recovery_request_gets_the_kept_message_back_in_the_sealed_answer()
    {
        Net.SendPayment("ZF-0001");
        Assert.Equal(1, await _http.FinanceWorker.DeliverDueAsync(CancellationToken.None));
        var sent = Assert.Single(HttpNetwork.Outbox(Net.Finance));
        Assert.Equal(1, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM received_messages WHERE sender = 'finance' AND seq = 1"));

        // Finance, as a node restored from a backup would, asks the bank for its own messages after number 0.
        var request = new TransportMessage("finance>bank-102:recovery:1:0", PartyId.Finance, TestNetwork.Bank102Party, MessageKind.Recovery,
            Node.Recovery.RecoveryCodec.Encode(new Node.Recovery.RecoveryRequest(1, 0, 0, Resend: false)));
        var answer = await _http.FinanceTransport.DeliverAsync(request, CancellationToken.None);

        var returned = Node.Recovery.RecoveryCodec.DecodeAnswer(answer.Data);
        Assert.NotNull(returned);
        Assert.Equal(1, returned.HighestFromYou);
        Assert.False(returned.More);
        var message = Assert.Single(returned.Messages);
        Assert.Equal((1L, sent.MessageId, "voucher"), (message.Seq, message.MessageId, message.Kind));
        Assert.Equal(sent.Payload, message.Payload);
    }

    [Fact]
    public async Task A_repeated_delivery_of_the_same_message_is_answered_again_and_stored_once()
    {
        Net.SendPayment("ZF-0001");
        var message = Assert.Single(HttpNetwork.Outbox(Net.Finance)).ToMessage(PartyId.Finance);

        var first = await _http.FinanceTransport.DeliverAsync(message, CancellationToken.None);
        var second = await _http.FinanceTransport.DeliverAsync(message, CancellationToken.None);

        Assert.Equal(VoucherStatus.Received, first.Status);
        Assert.Equal(first, second);
        Assert.Equal(1, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));
        Assert.Equal(1, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM inbox"));
    }

    [Fact]
    public async Task A_bank_that_is_down_is_retried_by_the_worker_and_gets_the_voucher_once_it_is_up()
    {
        var id = Net.SendPayment("ZF-0001");
        var message = Assert.Single(HttpNetwork.Outbox(Net.Finance)).ToMessage(PartyId.Finance);
        // Finance knows bank 102 (its certificate fetched, a pooled connection open); then bank 102 goes down.
        await _http.FinanceTransport.Certificates.GetAsync(TestNetwork.Bank102Party, CancellationToken.None);
        await _http.StopAsync(TestNetwork.Bank102Party);

        await Assert.ThrowsAsync<TransportException>(() => _http.FinanceTransport.DeliverAsync(message, CancellationToken.None));
        Assert.Equal(0, await _http.FinanceWorker.DeliverDueAsync(CancellationToken.None));
        var waiting = Assert.Single(HttpNetwork.Outbox(Net.Finance));
        Assert.Equal(1, waiting.Attempts);
        Assert.Contains("not reachable", waiting.LastError, StringComparison.Ordinal);
        Assert.Null(waiting.DeliveredAt);
        Assert.Equal(VoucherStatus.Sent, TestNetwork.DeliveryOf(Net.Finance, id).Status);
        Assert.Equal(0, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));

        await _http.RestartAsync(TestNetwork.Bank102Party);
        Net.Clock.Advance(TimeSpan.FromSeconds(1)); // the worker's first backoff

        Assert.Equal(1, await _http.FinanceWorker.DeliverDueAsync(CancellationToken.None));
        Assert.Equal(VoucherStatus.Received, TestNetwork.DeliveryOf(Net.Finance, id).Status);
        Assert.Equal(2, Assert.Single(HttpNetwork.Outbox(Net.Finance)).Attempts);
        Assert.Equal(1, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));
    }

    [Fact]
    public async Task A_bank_that_was_given_a_new_certificate_refuses_the_old_one_and_the_sender_fetches_the_new_one()
    {
        var id = Net.SendPayment("ZF-0001");
        var old = await _http.FinanceTransport.Certificates.GetAsync(TestNetwork.Bank102Party, CancellationToken.None);
        var keys = Trust.Crypto.Sm2.GenerateKeyPair(new Org.BouncyCastle.Security.SecureRandom());
        var renewed = new NodeCredential(TestNetwork.Bank102Party, Net.Network.Authority.IssueInstitution(Csr.ForInstitution(TestNetwork.Bank102Party, "中国工商银行", keys.Private, new Org.BouncyCastle.Security.SecureRandom()), TestNetwork.Bank102Party, "中国工商银行"), keys.Private);
        await _http.StopAsync(TestNetwork.Bank102Party);
        await _http.RestartAsync(TestNetwork.Bank102Party, renewed);

        // Sealed to the certificate Finance still holds: refused by code, and the old certificate is forgotten.
        Assert.Equal(0, await _http.FinanceWorker.DeliverDueAsync(CancellationToken.None));
        Assert.Contains("NotForThisNode (5)", Assert.Single(HttpNetwork.Outbox(Net.Finance)).LastError, StringComparison.Ordinal);
        Assert.Equal(0, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));

        Net.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await _http.FinanceWorker.DeliverDueAsync(CancellationToken.None));
        Assert.Equal(VoucherStatus.Received, TestNetwork.DeliveryOf(Net.Finance, id).Status);
        var current = await _http.FinanceTransport.Certificates.GetAsync(TestNetwork.Bank102Party, CancellationToken.None);
        Assert.Equal(renewed.Certificate, current);
        Assert.NotEqual(old, current);
    }

    [Fact]
    public async Task An_envelope_from_a_node_whose_certificate_names_another_party_is_refused_with_the_code_and_nothing_is_stored()
    {
        Net.SendPayment("ZF-0001");
        var message = Assert.Single(HttpNetwork.Outbox(Net.Finance)).ToMessage(PartyId.Finance);
        var bank103 = _http.Credential(TestNetwork.Bank103Party);
        var impostor = _http.Envelopes(new NodeCredential(PartyId.Finance, bank103.Certificate, bank103.PrivateKey));

        // Through the transport: refused, so the sender keeps the message.
        using (var transport = new HttpTransport(impostor, _http.Peers))
        {
            var refused = await Assert.ThrowsAsync<TransportException>(() => transport.DeliverAsync(message, CancellationToken.None));
            Assert.Contains("SenderMismatch (4)", refused.Message, StringComparison.Ordinal);
        }

        // On the wire: 400 with problem details carrying the stable code and a Chinese title.
        var envelope = impostor.Seal(_http.Credential(TestNetwork.Bank102Party).Certificate, message.MessageId, (ushort)message.Kind, message.Payload);
        using var client = new HttpClient();
        using var content = new ByteArrayContent(envelope);
        content.Headers.ContentType = new MediaTypeHeaderValue(NodeHttp.EnvelopeMediaType);
        using var response = await client.PostAsync(new Uri(_http.AddressOf(TestNetwork.Bank102Party), NodeHttp.InboxPath), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("SenderMismatch", problem.RootElement.GetProperty("code").GetString());
        Assert.Equal(4, problem.RootElement.GetProperty("codeNumber").GetInt32());
        Assert.Equal("发送方与其证书不符", problem.RootElement.GetProperty("title").GetString());
        Assert.Contains("SenderMismatch", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));
        Assert.Equal(0, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM inbox"));
    }

    [Theory]
    [InlineData("tampered")]
    [InlineData("sealed-by-another-bank")]
    [InlineData("for-another-message")]
    [InlineData("not-an-answer")]
    [InlineData("unsealed")]
    public async Task An_answer_that_is_not_the_receivers_sealed_answer_to_this_message_is_not_accepted(string forgery)
    {
        var id = Net.SendPayment("ZF-0001");
        var messageId = Assert.Single(HttpNetwork.Outbox(Net.Finance)).MessageId;
        var finance = _http.Credential(PartyId.Finance).Certificate;
        var received = NodeHttp.EncodeAnswer(DeliveryAnswer.Accepted);
        var bank102 = _http.Envelopes(TestNetwork.Bank102Party);
        var answer = forgery switch
        {
            "tampered" => Flip(bank102.Seal(finance, messageId, NodeHttp.AnswerKind, received)),
            "sealed-by-another-bank" => _http.Envelopes(TestNetwork.Bank103Party).Seal(finance, messageId, NodeHttp.AnswerKind, received),
            "for-another-message" => bank102.Seal(finance, messageId + "-other", NodeHttp.AnswerKind, received),
            "not-an-answer" => bank102.Seal(finance, messageId, (ushort)MessageKind.Voucher, received),
            _ => received,
        };

        // A man in the middle answers for bank 102 and swallows the voucher; the sender has bank 102's certificate on file.
        await using var middle = await InboxServer.StartAsync(app => app.MapPost("/" + NodeHttp.InboxPath, () => Results.Bytes(answer, NodeHttp.EnvelopeMediaType)));
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, NodeCredential.CertificateFileName(TestNetwork.Bank102Party)), Pem.WriteCertificate(bank102.Credential.Certificate));
        var peers = new PeerTable(new Dictionary<PartyId, Uri> { [TestNetwork.Bank102Party] = middle.Address });
        using var transport = new HttpTransport(_http.Envelopes(PartyId.Finance), peers, new PeerCertificateDirectory(folder.Path));
        var worker = new DeliveryWorker(Net.Finance.Library, transport, Net.Clock);

        Assert.Equal(0, await worker.DeliverDueAsync(CancellationToken.None));

        var entry = Assert.Single(HttpNetwork.Outbox(Net.Finance));
        Assert.Null(entry.DeliveredAt);
        Assert.Contains(nameof(TransportException), entry.LastError, StringComparison.Ordinal);
        Assert.Equal(VoucherStatus.Sent, TestNetwork.DeliveryOf(Net.Finance, id).Status);

        static byte[] Flip(byte[] bytes)
        {
            bytes[^1] ^= 0x01;
            return bytes;
        }
    }

    [Fact]
    public async Task A_peer_table_that_points_at_the_wrong_node_is_caught_by_its_certificate_before_anything_is_sealed()
    {
        Net.SendPayment("ZF-0001");
        var message = Assert.Single(HttpNetwork.Outbox(Net.Finance)).ToMessage(PartyId.Finance);

        // bank-103's entry points at Finance's server: Finance's certificate does not name bank-103.
        var peers = new PeerTable(new Dictionary<PartyId, Uri> { [TestNetwork.Bank103Party] = _http.AddressOf(PartyId.Finance) });
        using var transport = new HttpTransport(_http.Envelopes(PartyId.Finance), peers);
        var wrong = await Assert.ThrowsAsync<TransportException>(() => transport.DeliverAsync(message with { To = TestNetwork.Bank103Party }, CancellationToken.None));
        Assert.Contains("is not its valid institution certificate", wrong.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<TransportException>(() => transport.DeliverAsync(message, CancellationToken.None));
        Assert.Contains("not in the peer table", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_certificate_endpoint_serves_the_nodes_institution_certificate_and_the_inbox_refuses_oversized_bodies()
    {
        using var client = new HttpClient();
        var bank = _http.AddressOf(TestNetwork.Bank102Party);

        var pem = await client.GetStringAsync(new Uri(bank, NodeHttp.CertificatePath));
        Assert.Equal(_http.Credential(TestNetwork.Bank102Party).Certificate, Pem.ReadCertificate(pem));

        // A body announced above the limit is refused from its Content-Length, before a byte of it is read.
        // (Written by hand: the server answers at once, and HttpClient would still be sending 8 MB into a closed socket.)
        using (var socket = new System.Net.Sockets.TcpClient())
        {
            await socket.ConnectAsync(bank.Host, bank.Port);
            var stream = socket.GetStream();
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
                $"POST /{NodeHttp.InboxPath} HTTP/1.1\r\nHost: {bank.Authority}\r\nContent-Type: {NodeHttp.EnvelopeMediaType}\r\nContent-Length: {Limits.NodeEnvelopeBytesMax + 1}\r\n\r\n"));
            using var reader = new StreamReader(stream);
            Assert.Equal("HTTP/1.1 413 Payload Too Large", await reader.ReadLineAsync());
            var rest = await ReadToJsonAsync(reader);
            using var problem = JsonDocument.Parse(rest);
            Assert.Equal(nameof(EnvelopeRejection.TooLarge), problem.RootElement.GetProperty("code").GetString());
        }

        using var garbage = new ByteArrayContent("not an envelope"u8.ToArray());
        using var refused = await client.PostAsync(new Uri(bank, NodeHttp.InboxPath), garbage);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(0, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));
    }

    /// <summary>Skips the response headers (and a chunk size) to the one-line JSON body that follows.</summary>
    private static async Task<string> ReadToJsonAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith('{'))
            {
                return line;
            }
        }

        return string.Empty;
    }

    private static List<(string Position, string Der)> Stamps(Node.Library.VoucherLibrary library, long id) =>
        [.. library.Stamps(id).Select(s => (s.Position, Convert.ToHexString(s.Der))).Order()];

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ot-http-" + System.IO.Path.GetRandomFileName())).FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
