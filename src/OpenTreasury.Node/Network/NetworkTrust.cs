using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Seals;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Node.Network;

/// <summary>
/// The network's trust as one node sees it: only public material — the root and issuing CA certificates, the
/// current CRLs (re-read when the authority publishes new ones), the TSA's and the seal maker's certificates — and
/// the verifiers built on them, plus the TSA to ask for timestamps. No CA, TSA or seal-making key is here: those stay
/// with the authority (<c>OpenTreasury.Authority</c>).
/// </summary>
public sealed class NetworkTrust
{
    private readonly string? _publicDirectory;
    private readonly object _crlLock = new();
    private X509Crl _crl;
    private DateTime _crlWritten;

    public NetworkTrust(PublishedTrust published, ITimestampAuthority timestamps, string? publicDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(published);
        _publicDirectory = publicDirectory;
        _crl = published.Crl;
        _crlWritten = publicDirectory is null ? default : File.GetLastWriteTimeUtc(Path.Combine(publicDirectory, PublishedTrust.CrlFile));
        Root = published.Root;
        Issuing = published.Issuing;
        SealMakerCertificate = published.SealMaker;
        TimestampCertificate = published.Timestamping;
        RootCrl = published.RootCrl;
        Validator = new PkiCertificateValidator(published.Root, published.Issuing, () => CurrentCrl, () => RootCrl);
        TimestampAuthority = timestamps;
        TimestampVerifier = new TimestampVerifier([published.Timestamping], Validator);
        SealVerifier = new SealVerifier(Validator, TimestampVerifier, IsSealMaker);
    }

    /// <summary>The public folder this trust was read from (the CRL and the seal notices are re-read there), when any.</summary>
    public string? PublicDirectory => _publicDirectory;

    public X509Certificate Root { get; }

    public X509Certificate Issuing { get; }

    public X509Certificate SealMakerCertificate { get; }

    public X509Certificate TimestampCertificate { get; }

    public X509Crl RootCrl { get; }

    public ICertificateValidator Validator { get; }

    /// <summary>Production, or a test environment (测试环境): what this network's CA says it is.</summary>
    public NetworkEnvironment Environment => NetworkEnvironments.Of(Root);

    public ITimestampAuthority TimestampAuthority { get; }

    public ITimestampVerifier TimestampVerifier { get; }

    public SealVerifier SealVerifier { get; }

    /// <summary>The issuing CA's current CRL: the published file is read again whenever the authority replaced it.</summary>
    public X509Crl CurrentCrl
    {
        get
        {
            if (_publicDirectory is null)
            {
                return _crl;
            }

            lock (_crlLock)
            {
                var path = Path.Combine(_publicDirectory, PublishedTrust.CrlFile);
                var written = File.GetLastWriteTimeUtc(path);
                if (written != _crlWritten)
                {
                    var crl = PublishedTrust.ReadCrl(_publicDirectory);
                    if (crl.IssuerDN.Equivalent(Issuing.SubjectDN) && IsSignedByIssuing(crl))
                    {
                        (_crl, _crlWritten) = (crl, written);
                    }
                }

                return _crl;
            }
        }
    }

    private bool IsSignedByIssuing(X509Crl crl)
    {
        try
        {
            crl.Verify(Issuing.GetPublicKey());
            return true;
        }
        catch (Exception ex) when (ex is Org.BouncyCastle.Security.InvalidKeyException or Org.BouncyCastle.Security.SignatureException or Org.BouncyCastle.Security.Certificates.CrlException or InvalidOperationException)
        {
            return false; // A CRL that is not the issuing CA's is ignored: the last good one stays in force.
        }
    }

    /// <summary>Reads the public folder the authority published; <paramref name="timestamps"/> is the TSA to ask.</summary>
    public static NetworkTrust Load(string publicDirectory, ITimestampAuthority timestamps) =>
        new(PublishedTrust.Read(publicDirectory), timestamps, publicDirectory);

    /// <summary>Only the seal maker's certificate, as the authority published it, may make seals (制章).</summary>
    public bool IsSealMaker(X509Certificate certificate) =>
        certificate is not null && certificate.Equals(SealMakerCertificate);

    /// <summary>Writes the CA chain, the current CRLs and the TSA certificate as PEM files for OpenSSL.</summary>
    public void Export(string folder)
    {
        Directory.CreateDirectory(folder);
        var root = Pem.WriteCertificate(Root);
        var issuing = Pem.WriteCertificate(Issuing);
        File.WriteAllText(Path.Combine(folder, "root.pem"), root);
        File.WriteAllText(Path.Combine(folder, "issuing.pem"), issuing);
        File.WriteAllText(Path.Combine(folder, "chain.pem"), issuing + root);
        File.WriteAllText(Path.Combine(folder, "crl.pem"), CrlPem.Write(CurrentCrl));
        File.WriteAllText(Path.Combine(folder, "root-crl.pem"), CrlPem.Write(RootCrl));
        File.WriteAllText(Path.Combine(folder, "tsa.pem"), Pem.WriteCertificate(TimestampCertificate));
        File.WriteAllText(Path.Combine(folder, "seal-maker.pem"), Pem.WriteCertificate(SealMakerCertificate));
    }
}
