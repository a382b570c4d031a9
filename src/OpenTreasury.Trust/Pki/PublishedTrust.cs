using OpenTreasury.Trust.Certificates;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Pki;

/// <summary>
/// What the authority publishes for every node (the public folder): the root and issuing CA certificates,
/// both CRLs, the TSA's certificate and the seal maker's. Nothing in it is secret; a node reads it and its
/// own folder, and nothing else.
/// </summary>
public sealed record PublishedTrust(X509Certificate Root, X509Certificate Issuing, X509Crl Crl, X509Crl RootCrl, X509Certificate Timestamping, X509Certificate SealMaker)
{
    public const string RootFile = "root.crt.pem";
    public const string IssuingFile = "issuing.crt.pem";
    public const string CrlFile = "crl.pem";
    public const string RootCrlFile = "root.crl.pem";
    public const string TimestampingFile = "tsa.crt.pem";
    public const string SealMakerFile = "seal-maker.crt.pem";

    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, RootFile));

    /// <summary>Writes every file through a temporary name renamed into place, so a reader never sees half a CRL.</summary>
    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        Replace(directory, RootFile, Pem.WriteCertificate(Root));
        Replace(directory, IssuingFile, Pem.WriteCertificate(Issuing));
        Replace(directory, TimestampingFile, Pem.WriteCertificate(Timestamping));
        Replace(directory, SealMakerFile, Pem.WriteCertificate(SealMaker));
        Replace(directory, RootCrlFile, CrlPem.Write(RootCrl));
        Replace(directory, CrlFile, CrlPem.Write(Crl));
    }

    /// <summary>Reads a public folder and checks that it holds together: the issuing CA under the root, each CRL by its CA.</summary>
    public static PublishedTrust Read(string directory)
    {
        string Text(string name) => File.ReadAllText(Path.Combine(directory, name));
        var published = new PublishedTrust(
            Pem.ReadCertificate(Text(RootFile)), Pem.ReadCertificate(Text(IssuingFile)), CrlPem.Read(Text(CrlFile)), CrlPem.Read(Text(RootCrlFile)),
            Pem.ReadCertificate(Text(TimestampingFile)), Pem.ReadCertificate(Text(SealMakerFile)));
        if (!SignatureChecks.IsSignedBy(published.Root, published.Root.GetPublicKey()) || !SignatureChecks.IsSignedBy(published.Issuing, published.Root.GetPublicKey())
            || !SignatureChecks.IsSignedBy(published.Crl, published.Issuing.GetPublicKey()) || !SignatureChecks.IsSignedBy(published.RootCrl, published.Root.GetPublicKey()))
        {
            throw new InvalidDataException($"The published trust in '{directory}' does not hold together: a CA or CRL is not signed by its issuer.");
        }

        return published;
    }

    /// <summary>Reads the current issuing-CA CRL of a public folder (it changes when the authority revokes).</summary>
    public static X509Crl ReadCrl(string directory) => CrlPem.Read(File.ReadAllText(Path.Combine(directory, CrlFile)));

    private static void Replace(string directory, string name, string text)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
