using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Tests;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Envelopes;
using OpenTreasury.Trust.Pki;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Transport.Http.Tests;

/// <summary>
/// A test network's (测试环境) node pointed at a production node over HTTP: the sender will not seal to a production
/// certificate, and an envelope sealed anyway is refused at the production inbox with <see cref="EnvelopeRejection.WrongEnvironment"/>.
/// </summary>
public sealed class SandboxEnvelopeTests : IAsyncLifetime, IDisposable
{
    private readonly TestNetwork _sandbox = new(environment: NetworkEnvironment.Sandbox);
    private HttpNetwork _production = null!;

    public async Task InitializeAsync() => _production = await HttpNetwork.StartAsync();

    public async Task DisposeAsync() => await _production.DisposeAsync();

    public void Dispose() => _sandbox.Dispose();

    private NodeEnvelopes SandboxFinance() => new(
        NodeCredential.Load(Path.Combine(_sandbox.Directory, "finance", "keys"), PartyId.Finance, Simulation.TreasuryNetwork.DemoPassphrase),
        _sandbox.Network.Trust.Validator,
        _sandbox.Clock,
        new SecureRandom());

    [Fact]
    public async Task A_sandbox_envelope_at_a_production_inbox_is_refused_with_WrongEnvironment_and_nothing_is_stored()
    {
        _sandbox.SendPayment("ZF-0001");
        var message = Assert.Single(HttpNetwork.Outbox(_sandbox.Finance)).ToMessage(PartyId.Finance);
        var sandbox = SandboxFinance();

        // Through the transport: the sandbox sender checks the production bank's certificate first and seals nothing.
        using (var transport = new HttpTransport(sandbox, _production.Peers))
        {
            var refused = await Assert.ThrowsAsync<TransportException>(() => transport.DeliverAsync(message, CancellationToken.None));
            Assert.Contains(nameof(CertificateFailure.WrongEnvironment), refused.Message, StringComparison.Ordinal);
        }

        // Sealed anyway to the production bank's certificate: 400 with the stable code and a Chinese title.
        var envelope = sandbox.Seal(_production.Credential(TestNetwork.Bank102Party).Certificate, message.MessageId, (ushort)message.Kind, message.Payload);
        using var client = new HttpClient();
        using var content = new ByteArrayContent(envelope);
        content.Headers.ContentType = new MediaTypeHeaderValue(NodeHttp.EnvelopeMediaType);
        using var response = await client.PostAsync(new Uri(_production.AddressOf(TestNetwork.Bank102Party), NodeHttp.InboxPath), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(nameof(EnvelopeRejection.WrongEnvironment), problem.RootElement.GetProperty("code").GetString());
        Assert.Equal((int)EnvelopeRejection.WrongEnvironment, problem.RootElement.GetProperty("codeNumber").GetInt32());
        Assert.Equal("测试环境与生产环境的消息互不接收", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal(0, TestNetwork.Count(_production.Net.Bank102, "SELECT COUNT(*) FROM vouchers"));
        Assert.Equal(0, TestNetwork.Count(_production.Net.Bank102, "SELECT COUNT(*) FROM inbox"));
    }
}
