using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Pki;

using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Envelopes;

/// <summary>
/// One node's side of <see cref="NodeEnvelope"/>: its credential, the network's validator, its clock and its
/// randomness, so a transport seals and opens without passing them on every call.
/// </summary>
public sealed class NodeEnvelopes(NodeCredential credential, ICertificateValidator validator, TimeProvider clock, SecureRandom random)
{
    public NodeCredential Credential { get; } = credential ?? throw new ArgumentNullException(nameof(credential));

    public ICertificateValidator Validator { get; } = validator ?? throw new ArgumentNullException(nameof(validator));

    public TimeProvider Clock { get; } = clock ?? throw new ArgumentNullException(nameof(clock));

    private readonly SecureRandom _random = random ?? throw new ArgumentNullException(nameof(random));

    /// <summary>Seals a message from this node to the institution named by <paramref name="receiver"/>, now.</summary>
    public byte[] Seal(X509Certificate receiver, string messageId, ushort kind, ReadOnlySpan<byte> payload) =>
        NodeEnvelope.Seal(Credential, receiver, messageId, kind, payload, Clock.GetUtcNow(), _random);

    /// <summary>Seals the <paramref name="sequence"/>th message of this node to the receiver (0: outside the sequence), now.</summary>
    public byte[] Seal(X509Certificate receiver, string messageId, ushort kind, long sequence, ReadOnlySpan<byte> payload) =>
        NodeEnvelope.Seal(Credential, receiver, messageId, kind, sequence, payload, Clock.GetUtcNow(), _random);

    /// <summary>Opens an envelope sealed to this node, checked now.</summary>
    public EnvelopeOpening Open(ReadOnlySpan<byte> envelope) => NodeEnvelope.Open(envelope, Credential, Validator, Clock.GetUtcNow());
}
