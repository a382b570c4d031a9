using OpenTreasury.Domain.Parties;

using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Envelopes;

/// <summary>Why a node envelope was not opened; stable codes, the same on the wire, in logs and in problem details.</summary>
public enum EnvelopeRejection
{
    None = 0,
    Malformed = 1,          // not an envelope of this format: truncated, trailing bytes, a field out of its bounds
    BadSignature = 2,       // the sender's SM3withSM2 signature does not cover these bytes
    UntrustedSender = 3,    // the sender's certificate is not a valid institution certificate of this network now
    SenderMismatch = 4,     // the certificate names another party than the envelope's From
    NotForThisNode = 5,     // To is another party, or the key was wrapped for another certificate of ours
    CannotDecrypt = 6,      // the wrapped key or the SM4-GCM body does not open with our key
    TooLarge = 7,           // more bytes than Limits.NodeEnvelopeBytesMax, or a body above Limits.MessageBytesMax
    Stale = 8,              // sealed more than Limits.NodeEnvelopeAgeSecondsMax away from the opener's clock
    UnsupportedVersion = 9, // a later format version this node does not read
    WrongEnvironment = 10,  // the sender is of a test environment (测试环境) and this node of production, or the other way round
}

/// <summary>What an envelope says about itself; everything in it is signed and bound into the encryption.</summary>
/// <param name="Kind">The carrier's message kind (the transport's numbering); this layer only binds it.</param>
public sealed record EnvelopeHeader(PartyId From, PartyId To, string MessageId, ushort Kind, DateTimeOffset SealedAt)
{
    /// <summary>The sender's number of this message in its sequence to the receiver (1, 2, …); 0 outside it.</summary>
    public long Sequence { get; init; }
}

/// <summary>An envelope that passed every check: its header, the sender's (validated) certificate and the plaintext.</summary>
public sealed record OpenedEnvelope(EnvelopeHeader Header, X509Certificate SenderCertificate, byte[] Payload);

/// <summary>The outcome of opening: the envelope, or the stable code and a one-line reason.</summary>
public sealed record EnvelopeOpening(EnvelopeRejection Rejection, string Reason, OpenedEnvelope? Envelope)
{
    public bool IsOpen => Rejection == EnvelopeRejection.None;

    internal static EnvelopeOpening Refuse(EnvelopeRejection rejection, string reason) => new(rejection, reason, null);
}
