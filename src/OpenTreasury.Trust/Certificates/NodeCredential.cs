using OpenTreasury.Domain.Parties;

using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Certificates;

/// <summary>What a node signs with: its certificate and the matching SM2 private key.</summary>
public sealed record NodeCredential(PartyId Party, X509Certificate Certificate, AsymmetricKeyParameter PrivateKey)
{
    public static string CertificateFileName(PartyId party) => $"{party}.crt.pem";

    public static string PrivateKeyFileName(PartyId party) => $"{party}.key.pem";

    /// <summary>Writes <c>&lt;party&gt;.crt.pem</c> and <c>&lt;party&gt;.key.pem</c> (unencrypted, mode 0600).</summary>
    /// <remarks>Kept while callers migrate; new code uses <see cref="Save(string, ReadOnlySpan{char}, SecureRandom)"/>.</remarks>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, CertificateFileName(Party)), Pem.WriteCertificate(Certificate));
        Pem.SavePrivateKey(Path.Combine(directory, PrivateKeyFileName(Party)), PrivateKey);
    }

    /// <summary>
    /// Writes <c>&lt;party&gt;.crt.pem</c> and <c>&lt;party&gt;.key.pem</c>, the key encrypted under
    /// <paramref name="passphrase"/> (<see cref="EncryptedKeyFile"/>: PBES2, PBKDF2-HMAC-SHA256, SM4-CBC) in a file created
    /// with mode 0600 and renamed into place. The certificate is public and written as it is.
    /// </summary>
    /// <exception cref="KeyFileException"><see cref="KeyFileFailure.PassphraseInvalid"/> for a passphrase shorter than
    /// <see cref="EncryptedKeyFile.PassphraseLengthMin"/>.</exception>
    public void Save(string directory, ReadOnlySpan<char> passphrase, SecureRandom random, int iterations = EncryptedKeyFile.Iterations)
    {
        var keyText = EncryptedKeyFile.Write(PrivateKey, passphrase, random, iterations);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, CertificateFileName(Party)), Pem.WriteCertificate(Certificate));
        OwnerOnlyFile.WriteAtomically(Path.Combine(directory, PrivateKeyFileName(Party)), keyText);
    }

    /// <summary>
    /// Reads a credential saved by <see cref="Save(string, ReadOnlySpan{char}, SecureRandom)"/>, decrypting the key with
    /// <paramref name="passphrase"/>, and checks as <see cref="Load(string, PartyId)"/> does. An unencrypted key file is
    /// refused (<see cref="KeyFileFailure.NotEncrypted"/>); <see cref="EncryptedKeyFile.IsEncrypted"/> tells a caller
    /// that migrates old folders which overload to use.
    /// </summary>
    /// <exception cref="KeyFileException">The key file cannot be opened with this passphrase, with the reason.</exception>
    /// <exception cref="InvalidDataException">The certificate is not <paramref name="party"/>'s or the key is not its key.</exception>
    public static NodeCredential Load(string directory, PartyId party, ReadOnlySpan<char> passphrase)
    {
        var certificate = Pem.ReadCertificate(File.ReadAllText(Path.Combine(directory, CertificateFileName(party))));
        var privateKey = EncryptedKeyFile.Load(Path.Combine(directory, PrivateKeyFileName(party)), passphrase);
        return Checked(directory, party, certificate, privateKey);
    }

    /// <summary>
    /// Reads a credential saved by <see cref="Save(string)"/> (unencrypted key), checking that the certificate names
    /// <paramref name="party"/> and that the key belongs to it.
    /// </summary>
    public static NodeCredential Load(string directory, PartyId party)
    {
        var certificate = Pem.ReadCertificate(File.ReadAllText(Path.Combine(directory, CertificateFileName(party))));
        var privateKey = Pem.ReadPrivateKey(File.ReadAllText(Path.Combine(directory, PrivateKeyFileName(party))));
        return Checked(directory, party, certificate, privateKey);
    }

    private static NodeCredential Checked(string directory, PartyId party, X509Certificate certificate, AsymmetricKeyParameter privateKey)
    {
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
