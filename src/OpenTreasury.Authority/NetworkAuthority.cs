using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Authority;

/// <summary>
/// The network's authority (财政科技部门): the two-level SM2 CA and its CRLs, the RFC 3161 timestamp authority and
/// the seal maker (制章). Its folder holds <c>ca/</c> (both CA keys), <c>tsa/</c> and <c>seal-maker/</c>, every key
/// encrypted under the authority's passphrase with mode 0600; <see cref="Publish"/> writes the public side for the nodes.
/// </summary>
public sealed class NetworkAuthority
{
    public static readonly TimeSpan InstitutionValidity = TimeSpan.FromDays(3 * 365);
    public static readonly TimeSpan PersonValidity = TimeSpan.FromDays(2 * 365);
    public static readonly TimeSpan TimestampingValidity = TimeSpan.FromDays(5 * 365);
    public static readonly TimeSpan CrlValidity = TimeSpan.FromDays(7);

    private const string CaFolder = "ca";
    private const string TsaFolder = "tsa";
    private const string SealMakerFolder = "seal-maker";
    private const string TsaCertificateFile = "tsa.crt.pem";
    private const string TsaKeyFile = "tsa.key.pem";

    private readonly string _directory;
    private readonly string _passphrase;
    private readonly int _iterations;
    private readonly TimeProvider _clock;
    private readonly object _lock = new();

    private NetworkAuthority(string directory, NetworkPki pki, NodeCredential tsa, NodeCredential sealMaker, string passphrase, int iterations, TimeProvider clock, SecureRandom random)
    {
        _directory = directory;
        _passphrase = passphrase;
        _iterations = iterations;
        _clock = clock;
        Pki = pki;
        Timestamps = new TimestampAuthority(tsa.Certificate, tsa.PrivateKey, clock, random);
        SealMaker = sealMaker;
    }

    public NetworkPki Pki { get; }

    /// <summary>The TSA: nodes ask it for timestamps (in process, or over the wire at its host).</summary>
    public TimestampAuthority Timestamps { get; }

    /// <summary>The seal maker's credential: a Finance institution certificate of its own, used only to sign seals.</summary>
    public NodeCredential SealMaker { get; }

    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, CaFolder, NetworkPki.RootCertificateFileName));

    /// <summary>
    /// Makes the root and issuing CA, the TSA's key and certificate and the seal maker's, and saves them encrypted
    /// under <paramref name="passphrase"/> (PBKDF2 with <paramref name="iterations"/>: fewer only where the passphrase is public, as in the demo).
    /// </summary>
    public static NetworkAuthority Create(string directory, string networkName, string financeName, string passphrase, int iterations, TimeProvider clock, SecureRandom random, NetworkEnvironment environment = NetworkEnvironment.Production)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var now = clock.GetUtcNow();
        var pki = NetworkPki.Create(networkName, now, random, environment);
        var tsaKeys = Sm2.GenerateKeyPair(random);
        var tsa = new NodeCredential(PartyId.Finance, pki.IssueTimestamping($"{networkName} TSA", tsaKeys.Public, now, TimestampingValidity), tsaKeys.Private);
        var makerKeys = Sm2.GenerateKeyPair(random);
        var maker = new NodeCredential(PartyId.Finance, pki.IssueInstitution(PartyId.Finance, financeName, makerKeys.Public, now, InstitutionValidity), makerKeys.Private);
        pki.Save(Path.Combine(directory, CaFolder), passphrase, iterations);
        SaveTimestamping(Path.Combine(directory, TsaFolder), tsa, passphrase, iterations, random);
        maker.Save(Path.Combine(directory, SealMakerFolder), passphrase, random, iterations);
        return new NetworkAuthority(directory, pki, tsa, maker, passphrase, iterations, clock, random);
    }

    /// <summary>Opens the authority's folder, decrypting its keys with <paramref name="passphrase"/>.</summary>
    /// <exception cref="KeyFileException">A key cannot be opened with this passphrase.</exception>
    public static NetworkAuthority Load(string directory, string passphrase, TimeProvider clock, SecureRandom random)
    {
        var pki = NetworkPki.Load(Path.Combine(directory, CaFolder), passphrase, random);
        var tsaDirectory = Path.Combine(directory, TsaFolder);
        var tsa = new NodeCredential(
            PartyId.Finance,
            Pem.ReadCertificate(File.ReadAllText(Path.Combine(tsaDirectory, TsaCertificateFile))),
            EncryptedKeyFile.Load(Path.Combine(tsaDirectory, TsaKeyFile), passphrase));
        var maker = NodeCredential.Load(Path.Combine(directory, SealMakerFolder), PartyId.Finance, passphrase);
        return new NetworkAuthority(directory, pki, tsa, maker, passphrase, EncryptedKeyFile.Iterations, clock, random);
    }

    /// <summary>The public side: CA certificates, both CRLs, the TSA's and the seal maker's certificates.</summary>
    public PublishedTrust Published
    {
        get
        {
            lock (_lock)
            {
                return new(Pki.Root, Pki.Issuing, Pki.Crl, Pki.RootCrl, Timestamps.Certificate, SealMaker.Certificate);
            }
        }
    }

    /// <summary>Writes <see cref="Published"/> into the public folder every node reads.</summary>
    public void Publish(string publicDirectory) => Published.Write(publicDirectory);

    /// <summary>Issues a node's institution certificate from its verified request; the subject is the authority's, not the request's.</summary>
    public X509Certificate IssueInstitution(Pkcs10CertificationRequest request, PartyId party, string organisation) =>
        Pki.IssueInstitution(request, party, organisation, _clock.GetUtcNow(), InstitutionValidity);

    /// <summary>Issues a person's certificate for the key their USBKey made, from its verified request.</summary>
    public X509Certificate IssuePerson(Pkcs10CertificationRequest request, PartyId party, string userId, string name, string post, string organisation) =>
        Pki.IssuePerson(request, party, userId, name, post, organisation, _clock.GetUtcNow(), PersonValidity);

    /// <summary>Revokes a certificate now, signs a new CRL, saves the CA and publishes the CRL.</summary>
    public void Revoke(BigInteger serial, RevocationReason reason, string publicDirectory)
    {
        lock (_lock)
        {
            var now = _clock.GetUtcNow();
            Pki.Revoke(serial, now, reason);
            Pki.CurrentCrl(now, now + CrlValidity);
            Pki.Save(Path.Combine(_directory, CaFolder), _passphrase, _iterations);
        }

        Publish(publicDirectory);
    }

    private static void SaveTimestamping(string directory, NodeCredential tsa, string passphrase, int iterations, SecureRandom random)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, TsaCertificateFile), Pem.WriteCertificate(tsa.Certificate));
        EncryptedKeyFile.Save(Path.Combine(directory, TsaKeyFile), tsa.PrivateKey, passphrase, random, iterations);
    }
}
