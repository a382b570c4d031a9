using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Seals;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Node.Network;

/// <summary>
/// The network's trust services in one place: the two-level SM2 PKI (root and issuing CA, run by
/// Finance), its current CRL, the RFC 3161 timestamp authority, and the verifiers every node uses for
/// certificates, timestamps and seals. Files: <c>ca/</c> (PKI, CRLs) and <c>tsa/</c> (the TSA's key).
/// </summary>
public sealed class NetworkTrust
{
    private static readonly TimeSpan CrlValidity = TimeSpan.FromDays(7);
    private readonly string _directory;
    private readonly TimeProvider _clock;

    private NetworkTrust(string directory, NetworkPki pki, NodeCredential tsa, TimeProvider clock, SecureRandom random)
    {
        _directory = directory;
        _clock = clock;
        Pki = pki;
        Validator = PkiCertificateValidator.For(pki);
        TimestampAuthority = new TimestampAuthority(tsa.Certificate, tsa.PrivateKey, clock, random);
        TimestampVerifier = new TimestampVerifier([tsa.Certificate], Validator);
        SealVerifier = new SealVerifier(Validator, TimestampVerifier, IsSealMaker);
        TimestampCertificate = tsa.Certificate;
    }

    public NetworkPki Pki { get; }

    public ICertificateValidator Validator { get; }

    public ITimestampAuthority TimestampAuthority { get; }

    public ITimestampVerifier TimestampVerifier { get; }

    public SealVerifier SealVerifier { get; }

    public X509Certificate TimestampCertificate { get; }

    public X509Crl CurrentCrl => Pki.Crl;

    /// <summary>Only Finance's institution certificate may make seals (制章).</summary>
    public static bool IsSealMaker(X509Certificate certificate) =>
        CertificateIdentities.TryRead(certificate, out var identity) && identity.Party == PartyId.Finance && identity.UserId is null;

    public static NetworkTrust Create(string directory, string networkName, TimeProvider clock, SecureRandom random)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var now = clock.GetUtcNow();
        var pki = NetworkPki.Create(networkName, now, random);
        var tsaKeys = Trust.Crypto.Sm2.GenerateKeyPair(random);
        var tsaCertificate = pki.IssueTimestamping($"{networkName} TSA", tsaKeys.Public, now, TimeSpan.FromDays(5 * 365));
        var tsa = new NodeCredential(PartyId.Finance, tsaCertificate, tsaKeys.Private);
        pki.Save(Path.Combine(directory, "ca"));
        SaveTimestampCredential(Path.Combine(directory, "tsa"), tsa);
        return new NetworkTrust(directory, pki, tsa, clock, random);
    }

    public static NetworkTrust Load(string directory, TimeProvider clock, SecureRandom random)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var pki = NetworkPki.Load(Path.Combine(directory, "ca"), random);
        var tsaDirectory = Path.Combine(directory, "tsa");
        var tsa = new NodeCredential(
            PartyId.Finance,
            Pem.ReadCertificate(File.ReadAllText(Path.Combine(tsaDirectory, "tsa.crt.pem"))),
            Pem.ReadPrivateKey(File.ReadAllText(Path.Combine(tsaDirectory, "tsa.key.pem"))));
        return new NetworkTrust(directory, pki, tsa, clock, random);
    }

    /// <summary>Issues an institution certificate (a party's signature and seal server).</summary>
    public X509Certificate IssueInstitution(PartyId party, string organisation, Org.BouncyCastle.Crypto.AsymmetricKeyParameter publicKey) =>
        Pki.IssueInstitution(party, organisation, publicKey, _clock.GetUtcNow(), TimeSpan.FromDays(3 * 365));

    /// <summary>Issues a person's signing certificate for a USBKey.</summary>
    public X509Certificate IssuePerson(PartyId party, string userId, string name, string post, string organisation, Org.BouncyCastle.Crypto.AsymmetricKeyParameter publicKey) =>
        Pki.IssuePerson(party, userId, name, post, organisation, publicKey, _clock.GetUtcNow(), TimeSpan.FromDays(2 * 365));

    /// <summary>Revokes a certificate now and publishes a new CRL.</summary>
    public void Revoke(BigInteger serial, RevocationReason reason)
    {
        var now = _clock.GetUtcNow();
        Pki.Revoke(serial, now, reason);
        Pki.CurrentCrl(now, now + CrlValidity);
        Pki.Save(Path.Combine(_directory, "ca"));
    }

    /// <summary>Writes the CA chain, the current CRLs and the TSA certificate as PEM files for OpenSSL.</summary>
    public void Export(string folder)
    {
        Pki.ExportPem(folder);
        File.WriteAllText(Path.Combine(folder, "tsa.pem"), Pem.WriteCertificate(TimestampCertificate));
    }

    private static void SaveTimestampCredential(string directory, NodeCredential tsa)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "tsa.crt.pem"), Pem.WriteCertificate(tsa.Certificate));
        Pem.SavePrivateKey(Path.Combine(directory, "tsa.key.pem"), tsa.PrivateKey);
    }
}
