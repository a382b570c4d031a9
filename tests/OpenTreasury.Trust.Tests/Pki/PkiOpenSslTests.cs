using System.Diagnostics;
using System.Globalization;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;
using Xunit.Abstractions;
using static OpenTreasury.Trust.Tests.OpenSslCli;
using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Pki;

/// <summary>
/// What OpenSSL 3 makes of the exported PKI. OpenSSL 3.0.19 applies <c>-vfyopt distid:…</c> only to the
/// certificate being verified; intermediate certificates and CRLs are checked with an empty SM2 user ID and fail
/// (openssl/openssl#23471). So each link is verified on its own, the CRL signature with <c>pkeyutl</c>, and the
/// full <c>-untrusted</c> / <c>-crl_check</c> commands are only logged. Without an SM2-capable openssl the tests
/// say so and pass.
/// </summary>
public class PkiOpenSslTests(ITestOutputHelper output)
{

    // The test PKI lives in March 2026; verify as of then, not as of the machine clock.
    private static readonly string s_at = Now.AddDays(3).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void OpenSsl_verifies_each_link_of_the_chain_and_rejects_a_rogue_leaf()
    {
        if (Unavailable())
        {
            return;
        }

        using var temp = new TempDirectory();
        var (fresh, revoked) = Export(temp.Path);
        File.WriteAllText(Path.Combine(temp.Path, "rogue.pem"), Pem.WriteCertificate(
            NetworkPki.Create("OpenTreasury Test", Now, Rng).IssueInstitution(Bank102, "中国工商银行", fresh.InstitutionKeys.Public, Now, OneYear)));

        Expect(temp.Path, "issuing.pem: OK", "verify", "-attime", s_at, "-vfyopt", DistId, "-CAfile", "root.pem", "issuing.pem");
        foreach (var leaf in new[] { "good.pem", "person.pem", "tsa.pem", "revoked.pem" })
        {
            Expect(temp.Path, $"{leaf}: OK", "verify", "-attime", s_at, "-vfyopt", DistId, "-partial_chain", "-CAfile", "issuing.pem", leaf);
        }

        var (exit, _, _) = Run(temp.Path, "verify", "-attime", s_at, "-vfyopt", DistId, "-partial_chain", "-CAfile", "issuing.pem", "rogue.pem");
        Assert.NotEqual(0, exit);

        // The one-command form; fails on OpenSSL 3.0.x at depth 1 (the issuing CA, checked without distid).
        var full = Run(temp.Path, "verify", "-attime", s_at, "-vfyopt", DistId, "-CAfile", "root.pem", "-untrusted", "issuing.pem", "good.pem");
        output.WriteLine($"verify -CAfile root.pem -untrusted issuing.pem good.pem → exit {full.Exit}: {full.Stdout}{full.Stderr}");
        Assert.NotNull(revoked);
    }

    [Fact]
    public void OpenSsl_verifies_the_CRL_signature_and_lists_the_revoked_serial_only()
    {
        if (Unavailable())
        {
            return;
        }

        using var temp = new TempDirectory();
        var (fresh, revoked) = Export(temp.Path);
        var crl = fresh.Pki.Crl;
        File.WriteAllBytes(Path.Combine(temp.Path, "crl-tbs.der"), crl.GetTbsCertList());
        File.WriteAllBytes(Path.Combine(temp.Path, "crl-sig.der"), crl.GetSignature());
        File.WriteAllText(Path.Combine(temp.Path, "issuing-pub.pem"), Pem.WritePublicKey(fresh.Pki.Issuing.GetPublicKey()));

        Expect(temp.Path, "Signature Verified Successfully", "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pkeyopt", DistId, "-pubin", "-inkey", "issuing-pub.pem", "-in", "crl-tbs.der", "-sigfile", "crl-sig.der");
        var (exit, text, stderr) = Run(temp.Path, "crl", "-in", "crl.pem", "-noout", "-text");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Serial Number: " + OpenSslHex(revoked.SerialNumber), text, StringComparison.Ordinal);
        Assert.DoesNotContain(OpenSslHex(fresh.Institution.SerialNumber), text, StringComparison.Ordinal);
        Assert.Contains("Key Compromise", text, StringComparison.Ordinal);
        Assert.Contains("X509v3 CRL Number", text, StringComparison.Ordinal);
        (exit, _, stderr) = Run(temp.Path, "crl", "-in", "root-crl.pem", "-noout", "-text");
        Assert.True(exit == 0, stderr);

        foreach (var leaf in new[] { "good.pem", "revoked.pem" })
        {
            var check = Run(temp.Path, "verify", "-attime", s_at, "-vfyopt", DistId, "-partial_chain", "-crl_check", "-CRLfile", "crl.pem", "-CAfile", "issuing.pem", leaf);
            output.WriteLine($"verify -crl_check {leaf} → exit {check.Exit}: {check.Stdout}{check.Stderr}");
        }
    }

    [Fact]
    public void OpenSsl_reads_a_token_and_its_SM3_imprint()
    {
        if (Unavailable())
        {
            return;
        }

        using var temp = new TempDirectory();
        var (fresh, _) = Export(temp.Path);
        var value = Sm2.Sign(fresh.InstitutionKeys.Private, "voucher"u8, Rng);
        var token = new TimestampAuthority(fresh.Tsa, fresh.TsaKeys.Private, new FixedClock(Now.AddDays(3)), Rng).Stamp(value);
        File.WriteAllBytes(Path.Combine(temp.Path, "token.der"), token);

        var (exit, text, stderr) = Run(temp.Path, "ts", "-reply", "-in", "token.der", "-token_in", "-text");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Hash Algorithm: sm3", text, StringComparison.Ordinal);
        Assert.Contains("Policy OID: " + TimestampAuthority.DefaultPolicyOid, text, StringComparison.Ordinal);
        Assert.Contains("Time stamp: Mar  5 01:30:00 2026 GMT", text, StringComparison.Ordinal);
        (exit, _, stderr) = Run(temp.Path, "asn1parse", "-inform", "DER", "-in", "token.der");
        Assert.True(exit == 0, stderr);
    }

    private static (TestPki Pki, Org.BouncyCastle.X509.X509Certificate Revoked) Export(string directory)
    {
        var fresh = new TestPki();
        var revoked = fresh.Pki.IssueInstitution(Bank103, "中国农业银行", Sm2.GenerateKeyPair(Rng).Public, Now, OneYear);
        fresh.Pki.Revoke(revoked.SerialNumber, Now.AddDays(1), RevocationReason.KeyCompromise);
        fresh.Pki.CurrentCrl(Now.AddDays(2), Now.AddDays(9));
        fresh.Pki.CurrentRootCrl(Now.AddDays(2), Now.AddDays(90));
        fresh.Pki.ExportPem(directory);
        File.WriteAllText(Path.Combine(directory, "good.pem"), Pem.WriteCertificate(fresh.Institution));
        File.WriteAllText(Path.Combine(directory, "person.pem"), Pem.WriteCertificate(fresh.Person));
        File.WriteAllText(Path.Combine(directory, "tsa.pem"), Pem.WriteCertificate(fresh.Tsa));
        File.WriteAllText(Path.Combine(directory, "revoked.pem"), Pem.WriteCertificate(revoked));
        return (fresh, revoked);
    }

    // OpenSSL prints a serial in whole bytes: an odd number of hex digits gets a leading zero.
    private static string OpenSslHex(Org.BouncyCastle.Math.BigInteger serial)
    {
        var hex = serial.ToString(16).ToUpperInvariant();
        return hex.Length % 2 == 1 ? "0" + hex : hex;
    }

    private static void Expect(string directory, string expected, params string[] arguments)
    {
        var (exit, stdout, stderr) = Run(directory, arguments);
        Assert.True(exit == 0, $"openssl {string.Join(' ', arguments)}: {stdout}{stderr}");
        Assert.Contains(expected, stdout, StringComparison.Ordinal);
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
