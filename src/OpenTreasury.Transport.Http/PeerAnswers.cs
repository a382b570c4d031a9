using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Envelopes;
using OpenTreasury.Trust.Pki;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Transport.Http;

/// <summary>
/// What every transport that carries sealed envelopes checks on the sender's side (HTTP, RabbitMQ): the receiver's
/// certificate before sealing to it, and the sealed answer after; anything else is a <see cref="TransportException"/>,
/// so the outbox keeps the message.
/// </summary>
public static class PeerAnswers
{
    /// <summary>The receiver's certificate, checked now: of the network, an institution's, and naming the receiver.</summary>
    public static async Task<X509Certificate> ReceiverCertificateAsync(IPeerCertificates certificates, NodeEnvelopes envelopes, PartyId party, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        ArgumentNullException.ThrowIfNull(envelopes);
        var certificate = await certificates.GetAsync(party, cancellationToken).ConfigureAwait(false);
        var validation = envelopes.Validator.Validate(certificate, envelopes.Clock.GetUtcNow(), CertificateUse.Institution);
        if (!validation.IsValid || !CertificateIdentities.TryRead(certificate, out var identity) || identity.Party != party || identity.UserId is not null)
        {
            certificates.Forget(party);
            throw new TransportException($"the certificate offered for {party} ('{certificate.SubjectDN}') is not its valid institution certificate: {validation.Failure}: {validation.Message}");
        }

        return certificate;
    }

    /// <summary>The answer, if it opens as one sealed by the receiver to us, for this very message.</summary>
    public static DeliveryAnswer Open(NodeEnvelopes envelopes, TransportMessage message, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(body);
        var opening = envelopes.Open(body);
        if (!opening.IsOpen)
        {
            throw new TransportException($"{message.To}'s answer is not genuine: {opening.Rejection}: {opening.Reason}");
        }

        var header = opening.Envelope!.Header;
        if (header.From != message.To || header.Kind != NodeHttp.AnswerKind || header.MessageId != message.MessageId)
        {
            throw new TransportException($"the answer is from {header.From} (kind {header.Kind}) for '{header.MessageId}', not {message.To}'s answer to '{message.MessageId}'");
        }

        return NodeHttp.TryDecodeAnswer(opening.Envelope.Payload, out var answer)
            ? answer
            : throw new TransportException($"{message.To}'s sealed answer is not received (1) or receive failed (2)");
    }
}
