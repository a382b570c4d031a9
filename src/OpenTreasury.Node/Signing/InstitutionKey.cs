using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Certificates;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Node.Signing;

/// <summary>
/// A node's institution certificate with its private key, decrypted from the node's encrypted key file the first
/// time the node signs (so reading a library never asks for the passphrase).
/// </summary>
public sealed class InstitutionKey(PartyId party, X509Certificate certificate, Func<NodeCredential> load)
{
    private readonly Lazy<NodeCredential> _credential = new(load);

    public PartyId Party => party;

    public X509Certificate Certificate => certificate;

    /// <summary>The certificate and its key; decrypts the key file on first use.</summary>
    public NodeCredential Credential => _credential.Value;

    public static InstitutionKey Of(NodeCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return new(credential.Party, credential.Certificate, () => credential);
    }
}
