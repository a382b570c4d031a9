using OpenTreasury.Trust.Pki;

namespace OpenTreasury.Node.Signing;

/// <summary>
/// A TSA reached the first time a node asks for a timestamp: the embedded host opens the authority (and asks for its
/// passphrase) only when something is stamped; a node on its own machine passes an <see cref="HttpTimestampAuthority"/>.
/// </summary>
public sealed class DeferredTimestampAuthority(Func<ITimestampAuthority> open) : ITimestampAuthority
{
    private readonly Lazy<ITimestampAuthority> _authority = new(open);

    public byte[] Stamp(ReadOnlySpan<byte> signatureValue) => _authority.Value.Stamp(signatureValue);
}
