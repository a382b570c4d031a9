using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities.IO.Pem;
using Org.BouncyCastle.X509;

using PemReader = Org.BouncyCastle.Utilities.IO.Pem.PemReader;
using PemWriter = Org.BouncyCastle.Utilities.IO.Pem.PemWriter;

namespace OpenTreasury.Trust.Certificates;

/// <summary>
/// PEM text for certificates (<c>CERTIFICATE</c>), public keys (<c>PUBLIC KEY</c>, SPKI) and private keys
/// (<c>PRIVATE KEY</c>, unencrypted PKCS#8), the forms OpenSSL 3 reads and writes. Encrypted private keys
/// (<c>ENCRYPTED PRIVATE KEY</c>) are <see cref="EncryptedKeyFile"/>'s; certificate requests are <see cref="Csr"/>'s.
/// </summary>
public static class Pem
{
    private const string CertificateLabel = "CERTIFICATE";
    private const string PublicKeyLabel = "PUBLIC KEY";
    private const string PrivateKeyLabel = "PRIVATE KEY";

    public static string WriteCertificate(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Write(CertificateLabel, certificate.GetEncoded());
    }

    /// <summary>Reads the first PEM block as a certificate; anything else, malformed DER included, is <see cref="InvalidDataException"/>.</summary>
    public static X509Certificate ReadCertificate(string pem)
    {
        var der = Read(pem, CertificateLabel);
        try
        {
            return new X509Certificate(der);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Hostile DER makes BouncyCastle throw ArgumentException, CertificateParsingException, InvalidOperationException,
            // DecoderFallbackException...: all of it means "not a certificate" (found by fuzz/run x509).
            throw new InvalidDataException($"The '{CertificateLabel}' block is not a well-formed X.509 certificate: {e.Message}", e);
        }
    }

    public static string WritePublicKey(AsymmetricKeyParameter publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return Write(PublicKeyLabel, SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(publicKey).GetDerEncoded());
    }

    public static AsymmetricKeyParameter ReadPublicKey(string pem) => PublicKeyFactory.CreateKey(Read(pem, PublicKeyLabel));

    public static string WritePrivateKey(AsymmetricKeyParameter privateKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        if (!privateKey.IsPrivate)
        {
            throw new ArgumentException("A private key is required.", nameof(privateKey));
        }

        return Write(PrivateKeyLabel, PrivateKeyInfoFactory.CreatePrivateKeyInfo(privateKey).GetDerEncoded());
    }

    public static AsymmetricKeyParameter ReadPrivateKey(string pem) => PrivateKeyFactory.CreateKey(Read(pem, PrivateKeyLabel));

    /// <summary>
    /// Writes an unencrypted private key readable by its owner only (mode 0600 where the OS has Unix modes), through
    /// a temporary file renamed into place. Prefer <see cref="EncryptedKeyFile.Save"/> for keys at rest.
    /// </summary>
    public static void SavePrivateKey(string path, AsymmetricKeyParameter privateKey) =>
        OwnerOnlyFile.WriteAtomically(path, WritePrivateKey(privateKey));

    private static string Write(string label, byte[] der)
    {
        using var text = new StringWriter();
        var writer = new PemWriter(text);
        writer.WriteObject(new PemObject(label, der));
        writer.Writer.Flush();
        return text.ToString();
    }

    private static byte[] Read(string pem, string label)
    {
        ArgumentNullException.ThrowIfNull(pem);
        using var text = new StringReader(pem);
        var obj = new PemReader(text).ReadPemObject()
            ?? throw new InvalidDataException($"No PEM block found; expected '{label}'.");
        return obj.Type == label
            ? obj.Content
            : throw new InvalidDataException($"The PEM block is '{obj.Type}', expected '{label}'.");
    }
}
