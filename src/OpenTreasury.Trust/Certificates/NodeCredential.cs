using OpenTreasury.Domain.Parties;

using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Certificates;

/// <summary>What a node signs with: its certificate and the matching SM2 private key.</summary>
public sealed record NodeCredential(PartyId Party, X509Certificate Certificate, AsymmetricKeyParameter PrivateKey)
{
    public static string CertificateFileName(PartyId party) => $"{party}.crt.pem";

    public static string PrivateKeyFileName(PartyId party) => $"{party}.key.pem";

    /// <summary>Writes <c>&lt;party&gt;.crt.pem</c> and <c>&lt;party&gt;.key.pem</c> (mode 0600).</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, CertificateFileName(Party)), Pem.WriteCertificate(Certificate));
        Pem.SavePrivateKey(Path.Combine(directory, PrivateKeyFileName(Party)), PrivateKey);
    }

    /// <summary>
    /// Reads a credential saved by <see cref="Save"/>, checking that the certificate names
    /// <paramref name="party"/> and that the key belongs to it.
    /// </summary>
    public static NodeCredential Load(string directory, PartyId party)
    {
        var certificate = Pem.ReadCertificate(File.ReadAllText(Path.Combine(directory, CertificateFileName(party))));
        var privateKey = Pem.ReadPrivateKey(File.ReadAllText(Path.Combine(directory, PrivateKeyFileName(party))));
        if (!NodeCertificate.TryGetParty(certificate, out var named) || named != party)
        {
            throw new InvalidDataException($"The certificate in '{directory}' is not {party}'s: its subject is {certificate.SubjectDN}.");
        }

        if (!CertificateAuthority.KeyMatches(certificate, privateKey))
        {
            throw new InvalidDataException($"The key of {party} in '{directory}' does not belong to its certificate.");
        }

        return new NodeCredential(party, certificate, privateKey);
    }
}
