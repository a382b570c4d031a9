using System.Net.Http.Headers;
using System.Text.Json;

using OpenTreasury.Domain;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Trust.Envelopes;
using OpenTreasury.Trust.Pki;

using Org.BouncyCastle.X509;

namespace OpenTreasury.Transport.Http;

/// <summary>
/// Carries a node's messages to other nodes over HTTP: each message is sealed in a <see cref="NodeEnvelope"/> to
/// the receiver's certificate and POSTed to <c>{base}/node/inbox</c>; the receiver's <see cref="DeliveryAnswer"/>
/// comes back sealed to this node, so no one on the way can forge "received".
/// </summary>
/// <remarks>
/// Everything that is not a genuine answer throws <see cref="TransportException"/> — unreachable, timed out
/// (<see cref="Limits.DeliveryTimeoutSecondsMax"/>), 5xx, a refused envelope (4xx, with its code), an answer that does
/// not open — so the <see cref="DeliveryWorker"/> keeps the message, retries with backoff and parks it after its limit.
/// One <see cref="HttpClient"/> per transport; its pooled connections are renewed every few minutes so a peer that
/// moved to another address (DNS) is found again.
/// </remarks>
public sealed class HttpTransport : ITransport, IDisposable
{
    private static readonly TimeSpan s_connectionLifetime = TimeSpan.FromMinutes(5);
    private readonly NodeEnvelopes _envelopes;
    private readonly PeerTable _peers;
    private readonly HttpClient _client;

    /// <param name="envelopes">This node's credential, the network's validator, the clock and randomness.</param>
    /// <param name="peers">Where the other nodes listen.</param>
    /// <param name="certificates">Where receivers' certificates come from; by default each peer is asked for its own.</param>
    public HttpTransport(NodeEnvelopes envelopes, PeerTable peers, IPeerCertificates? certificates = null)
    {
        _envelopes = envelopes ?? throw new ArgumentNullException(nameof(envelopes));
        _peers = peers ?? throw new ArgumentNullException(nameof(peers));
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = s_connectionLifetime,
            ConnectTimeout = TimeSpan.FromSeconds(Limits.DeliveryTimeoutSecondsMax),
            AllowAutoRedirect = false, // an inbox that redirects is misconfigured; following it would send the envelope elsewhere
        };
        _client = new HttpClient(handler, disposeHandler: true)
        {
            Timeout = TimeSpan.FromSeconds(Limits.DeliveryTimeoutSecondsMax),
            MaxResponseContentBufferSize = NodeHttp.AnswerBytesMax,
        };
        Certificates = certificates ?? new FetchedPeerCertificates(_client, peers);
    }

    public IPeerCertificates Certificates { get; }

    public async Task<DeliveryAnswer> DeliverAsync(TransportMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.From != _envelopes.Credential.Party)
        {
            throw new InvalidOperationException($"This transport sends as {_envelopes.Credential.Party}, not as {message.From}.");
        }

        if (!_peers.TryGetAddress(message.To, out var address))
        {
            throw new TransportException($"{message.To} is not in the peer table");
        }

        var receiver = await PeerAnswers.ReceiverCertificateAsync(Certificates, _envelopes, message.To, cancellationToken).ConfigureAwait(false);
        var envelope = _envelopes.Seal(receiver, message.MessageId, (ushort)message.Kind, message.Sequence, message.Payload);
        var inbox = new Uri(address, NodeHttp.InboxPath);
        using var content = new ByteArrayContent(envelope);
        content.Headers.ContentType = new MediaTypeHeaderValue(NodeHttp.EnvelopeMediaType);
        try
        {
            using var response = await _client.PostAsync(inbox, content, cancellationToken).ConfigureAwait(false);
            var body = await HttpBodies.ReadBoundedAsync(response.Content, NodeHttp.AnswerBytesMax, cancellationToken).ConfigureAwait(false)
                ?? throw new TransportException($"{message.To} answered more than {NodeHttp.AnswerBytesMax} bytes");
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return PeerAnswers.Open(_envelopes, message, body);
            }

            if (status is >= 400 and < 500)
            {
                var (code, number, detail) = ReadProblem(body);
                if (code is nameof(EnvelopeRejection.NotForThisNode) or nameof(EnvelopeRejection.CannotDecrypt))
                {
                    // The receiver may have a new certificate: ask for it again on the next attempt.
                    Certificates.Forget(message.To);
                }

                throw new TransportException($"{message.To} refused the envelope ({status}): {code} ({number}): {detail}");
            }

            throw new TransportException($"{message.To} answered {status} {response.ReasonPhrase}");
        }
        catch (HttpRequestException e)
        {
            throw new TransportException($"{message.To} is not reachable at {inbox}: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new TransportException($"{message.To}'s connection broke while answering: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransportException($"{message.To} did not answer within {Limits.DeliveryTimeoutSecondsMax} s", e);
        }
    }

    public void Dispose() => _client.Dispose();

    private static (string Code, string Number, string Detail) ReadProblem(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var code = root.TryGetProperty(NodeHttp.CodeField, out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "unknown";
            var number = root.TryGetProperty(NodeHttp.CodeNumberField, out var n) && n.ValueKind == JsonValueKind.Number ? n.GetRawText() : "?";
            var detail = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : string.Empty;
            return (code, number, detail);
        }
        catch (JsonException)
        {
            return ("unknown", "?", "the answer is not a problem document");
        }
    }
}
