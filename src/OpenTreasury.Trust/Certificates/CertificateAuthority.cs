using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace OpenTreasury.Trust.Certificates;

/// <summary>
/// The network's SM2 certificate authority: a self-signed root that issues one end-entity certificate
/// per node. Every certificate is signed SM3withSM2 (1.2.156.10197.1.501) with the default user ID, so
/// OpenSSL 3 verifies them with <c>-vfyopt distid:1234567812345678</c>.
/// </summary>
public sealed class CertificateAuthority
{
    public const string CertificateFileName = "ca.crt.pem";
    public const string PrivateKeyFileName = "ca.key.pem";

    /// <summary>Years the root is valid; node certificates must end before it does.</summary>
    public const int RootValidityYears = 20;

    /// <summary>Bits of a certificate serial number (random, positive).</summary>
    public const int SerialBits = 128;

    private const string RootSuffix = " Root CA";
    private const string SignatureAlgorithm = "SM3WITHSM2";

    private readonly SecureRandom _random;

    private CertificateAuthority(X509Certificate certificate, AsymmetricKeyParameter privateKey, SecureRandom random)
    {
        Certificate = certificate;
        PrivateKey = privateKey;
        _random = random;
    }

    /// <summary>The root certificate: the trust anchor every node configures.</summary>
    public X509Certificate Certificate { get; }

    public AsymmetricKeyParameter PrivateKey { get; }

    /// <summary>
    /// A new root: <c>CN=&lt;networkName&gt; Root CA</c>, CA:true and keyCertSign|cRLSign (both critical),
    /// a subject key identifier, valid from <paramref name="now"/> for 20 years. The
    /// <paramref name="random"/> is kept for the serials and signatures of issued certificates.
    /// </summary>
    public static CertificateAuthority Create(string networkName, DateTimeOffset now, SecureRandom random)
    {
        NodeCertificate.RequireName(networkName, NodeCertificate.OrganisationNameLengthMax - RootSuffix.Length, nameof(networkName));
        ArgumentNullException.ThrowIfNull(random);

        var keys = Sm2.GenerateKeyPair(random);
        var name = new X509Name([X509Name.CN], [networkName + RootSuffix]);
        var notBefore = WholeSeconds(now);
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(NewSerial(random));
        generator.SetIssuerDN(name);
        generator.SetSubjectDN(name);
        generator.SetNotBefore(notBefore.UtcDateTime);
        generator.SetNotAfter(notBefore.AddYears(RootValidityYears).UtcDateTime);
        generator.SetPublicKey(keys.Public);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, KeyIdentifierOf(keys.Public));
        var certificate = generator.Generate(new Asn1SignatureFactory(SignatureAlgorithm, keys.Private, random));
        return new CertificateAuthority(certificate, keys.Private, random);
    }

    /// <summary>
    /// An end-entity certificate for <paramref name="party"/>: subject <c>CN=&lt;party&gt;, O=&lt;organisation&gt;,
    /// OU=&lt;org-type code&gt;</c> (UTF8String, so Chinese names are fine), CA:false, digitalSignature|nonRepudiation
    /// (critical), authority and subject key identifiers, a random 128-bit serial.
    /// </summary>
    public X509Certificate IssueNodeCertificate(PartyId party, string organisationName, AsymmetricKeyParameter publicKey, DateTimeOffset now, TimeSpan validity)
    {
        NodeCertificate.RequireName(organisationName, NodeCertificate.OrganisationNameLengthMax, nameof(organisationName));
        ArgumentNullException.ThrowIfNull(publicKey);
        if (publicKey.IsPrivate || !Sm2.IsSm2Key(publicKey))
        {
            throw new ArgumentException("A node certificate certifies an SM2 public key.", nameof(publicKey));
        }

        var notBefore = WholeSeconds(now);
        var notAfter = notBefore + validity;
        if (validity <= TimeSpan.Zero || notAfter.UtcDateTime > Certificate.NotAfter)
        {
            throw new ArgumentOutOfRangeException(nameof(validity), validity, $"A node certificate must be valid for a positive time ending no later than the root ({Certificate.NotAfter:u}).");
        }

        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(NewSerial(_random));
        generator.SetIssuerDN(Certificate.SubjectDN);
        generator.SetSubjectDN(NodeCertificate.SubjectFor(party, organisationName));
        generator.SetNotBefore(notBefore.UtcDateTime);
        generator.SetNotAfter(notAfter.UtcDateTime);
        generator.SetPublicKey(publicKey);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature | KeyUsage.NonRepudiation));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(KeyIdentifierOf(Certificate.GetPublicKey()).GetKeyIdentifier()));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, KeyIdentifierOf(publicKey));
        return generator.Generate(new Asn1SignatureFactory(SignatureAlgorithm, PrivateKey, _random));
    }

    /// <summary>A new key pair and its certificate, ready to <see cref="NodeCredential.Save"/>.</summary>
    public NodeCredential IssueNodeCredential(PartyId party, string organisationName, DateTimeOffset now, TimeSpan validity)
    {
        var keys = Sm2.GenerateKeyPair(_random);
        var certificate = IssueNodeCertificate(party, organisationName, keys.Public, now, validity);
        return new NodeCredential(party, certificate, keys.Private);
    }

    /// <summary>Writes <c>ca.crt.pem</c> and <c>ca.key.pem</c> (0600) into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, CertificateFileName), Pem.WriteCertificate(Certificate));
        Pem.SavePrivateKey(Path.Combine(directory, PrivateKeyFileName), PrivateKey);
    }

    /// <summary>Reads a CA saved by <see cref="Save"/>; checks the key belongs to the certificate.</summary>
    public static CertificateAuthority Load(string directory, SecureRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var certificate = Pem.ReadCertificate(File.ReadAllText(Path.Combine(directory, CertificateFileName)));
        var privateKey = Pem.ReadPrivateKey(File.ReadAllText(Path.Combine(directory, PrivateKeyFileName)));
        if (!KeyMatches(certificate, privateKey))
        {
            throw new InvalidDataException($"The CA key in '{directory}' does not belong to its certificate.");
        }

        if (certificate.GetBasicConstraints() < 0)
        {
            throw new InvalidDataException($"The certificate in '{directory}' is not a CA certificate.");
        }

        return new CertificateAuthority(certificate, privateKey, random);
    }

    internal static bool KeyMatches(X509Certificate certificate, AsymmetricKeyParameter privateKey) =>
        Sm2.IsSm2Key(privateKey)
        && privateKey.IsPrivate
        && certificate.GetPublicKey() is ECPublicKeyParameters pub
        && Sm2.IsSm2Key(pub)
        && pub.Q.Equals(Sm2.PublicKeyOf(privateKey).Q);

    private static SubjectKeyIdentifier KeyIdentifierOf(AsymmetricKeyParameter publicKey) =>
        X509ExtensionUtilities.CreateSubjectKeyIdentifier(publicKey);

    private static BigInteger NewSerial(SecureRandom random)
    {
        // RFC 5280 wants a positive serial of at most 20 octets; zero is not positive.
        BigInteger serial;
        do
        {
            serial = new BigInteger(SerialBits, random);
        }
        while (serial.SignValue <= 0);
        return serial;
    }

    // X.509 times have whole seconds; truncating here keeps NotBefore equal to what is encoded.
    private static DateTimeOffset WholeSeconds(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }
}
