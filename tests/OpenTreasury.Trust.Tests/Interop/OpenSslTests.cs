using System.Diagnostics;
using System.Text;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using Xunit.Abstractions;
using static OpenTreasury.Trust.Tests.OpenSslCli;
using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Interop;

/// <summary>
/// What we make, OpenSSL 3 accepts, and the other way round. When the machine has no OpenSSL with SM2 the
/// tests say so in their output and pass: they prove interop where they can run, nothing where they cannot.
/// </summary>
public class OpenSslTests(ITestOutputHelper output)
{

    [Fact]
    public void OpenSsl_verifies_a_node_certificate_against_our_root()
    {
        if (Unavailable())
        {
            return;
        }

        using var temp = new TempDirectory();
        var directory = temp.Path;
        File.WriteAllText(Path.Combine(directory, "ca.pem"), Pem.WriteCertificate(Ca.Certificate));
        File.WriteAllText(Path.Combine(directory, "node.pem"), Pem.WriteCertificate(Icbc.Certificate));

        var (exit, stdout, stderr) = Run(directory, "verify", "-vfyopt", DistId, "-CAfile", "ca.pem", "node.pem");

        Assert.True(exit == 0, stderr);
        Assert.Equal("node.pem: OK", stdout.Trim());
    }

    [Fact]
    public void OpenSsl_reads_our_root_and_PKCS8_key_with_the_named_curve()
    {
        if (Unavailable())
        {
            return;
        }

        using var temp = new TempDirectory();
        var directory = temp.Path;
        Ca.Save(directory);

        var (exit, stdout, stderr) = Run(directory, "x509", "-in", CertificateAuthority.CertificateFileName, "-noout", "-text");
        Assert.True(exit == 0, stderr);
        Assert.Contains("SM2-with-SM3", stdout, StringComparison.Ordinal);
        Assert.Contains("ASN1 OID: SM2", stdout, StringComparison.Ordinal);
        Assert.Contains("CA:TRUE", stdout, StringComparison.Ordinal);

        (exit, _, stderr) = Run(directory, "pkey", "-in", CertificateAuthority.PrivateKeyFileName, "-noout", "-check");
        Assert.True(exit == 0, stderr);
    }

    [Fact]
    public void An_OpenSsl_SM2_signature_verifies_with_ours()
    {
        if (Unavailable())
        {
            return;
        }

        using var temp = new TempDirectory();
        var directory = temp.Path;
        var data = Encoding.UTF8.GetBytes("<Voucher><PayAmt>1234.50</PayAmt></Voucher>");
        File.WriteAllBytes(Path.Combine(directory, "data.bin"), data);
        Check(Run(directory, "genpkey", "-algorithm", "SM2", "-out", "key.pem"));
        Check(Run(directory, "pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"));
        Check(Run(directory, "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-pkeyopt", DistId, "-inkey", "key.pem", "-in", "data.bin", "-out", "sig.der"));

        var publicKey = Pem.ReadPublicKey(File.ReadAllText(Path.Combine(directory, "pub.pem")));
        var signature = File.ReadAllBytes(Path.Combine(directory, "sig.der"));

        Assert.True(Sm2.Verify(publicKey, data, signature));
        Assert.False(Sm2.Verify(publicKey, [.. data, 0x20], signature));
    }

    [Fact]
    public void Our_SM2_signature_verifies_with_OpenSsl()
    {
        if (Unavailable())
        {
            return;
        }

        using var temp = new TempDirectory();
        var directory = temp.Path;
        var data = Encoding.UTF8.GetBytes("<Voucher><PayAmt>1234.50</PayAmt></Voucher>");
        File.WriteAllBytes(Path.Combine(directory, "data.bin"), data);
        File.WriteAllText(Path.Combine(directory, "pub.pem"), Pem.WritePublicKey(Icbc.Certificate.GetPublicKey()));
        File.WriteAllBytes(Path.Combine(directory, "sig.der"), Sm2.Sign(Icbc.PrivateKey, data, Rng));
        File.WriteAllBytes(Path.Combine(directory, "other.bin"), [.. data, 0x20]);

        var (exit, stdout, stderr) = Run(directory, "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pkeyopt", DistId, "-pubin", "-inkey", "pub.pem", "-in", "data.bin", "-sigfile", "sig.der");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("Signature Verified Successfully", stdout, StringComparison.Ordinal);

        (exit, _, _) = Run(directory, "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pkeyopt", DistId, "-pubin", "-inkey", "pub.pem", "-in", "other.bin", "-sigfile", "sig.der");
        Assert.NotEqual(0, exit);
    }

    [Fact]
    public void A_certificate_OpenSsl_issues_with_our_issuing_CA_and_an_OpenSsl_signature_by_its_key_are_accepted_by_our_validator()
    {
        if (Unavailable())
        {
            return;
        }

        var directory = Directory.CreateTempSubdirectory("ot-openssl-issued-").FullName;
        try
        {
            var now = DateTimeOffset.UtcNow;
            var pki = OpenTreasury.Trust.Pki.NetworkPki.Create("Interop", now.AddMinutes(-5), Rng);
            pki.Save(directory);
            File.WriteAllText(Path.Combine(directory, "ext.cnf"),
                "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
            File.WriteAllText(Path.Combine(directory, "data.bin"), "8202 ZF1-000001 13674.65");
            Check(Run(directory, "genpkey", "-algorithm", "SM2", "-out", "leaf.key"));
            Check(Run(directory, "req", "-new", "-utf8", "-key", "leaf.key", "-subj", "/CN=bank-102/O=中国工商银行芒市支行/OU=102", "-sm3", "-sigopt", DistId, "-out", "leaf.csr"));
            Check(Run(directory, "x509", "-req", "-in", "leaf.csr", "-CA", "issuing.crt.pem", "-CAkey", "issuing.key.pem", "-sm3", "-sigopt", DistId, "-vfyopt", DistId,
                "-set_serial", "0x1234567890ABCDEF", "-days", "30", "-extfile", "ext.cnf", "-out", "leaf.pem"));
            Check(Run(directory, "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-pkeyopt", DistId, "-inkey", "leaf.key", "-in", "data.bin", "-out", "sig.der"));

            var leaf = Pem.ReadCertificate(File.ReadAllText(Path.Combine(directory, "leaf.pem")));
            var validation = OpenTreasury.Trust.Pki.PkiCertificateValidator.For(pki).Validate(leaf, now.AddMinutes(1), OpenTreasury.Trust.Pki.CertificateUse.Institution);
            Assert.True(validation.IsValid, validation.Message);
            Assert.True(OpenTreasury.Trust.Pki.CertificateIdentities.TryRead(leaf, out var identity));
            Assert.Equal(Bank102, identity.Party);
            Assert.True(Sm2.Verify(leaf.GetPublicKey(), File.ReadAllBytes(Path.Combine(directory, "data.bin")), File.ReadAllBytes(Path.Combine(directory, "sig.der"))));
            Assert.False(Sm2.Verify(leaf.GetPublicKey(), "8202 ZF1-000001 93674.65"u8, File.ReadAllBytes(Path.Combine(directory, "sig.der"))));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private bool Unavailable()
    {
        if (Unavailability is { } reason)
        {
            output.WriteLine($"NOT RUN: {reason}. This test proves nothing on this machine.");
            return true;
        }

        return false;
    }
}
