using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Parameters;

using Xunit.Abstractions;

using static OpenTreasury.Trust.Tests.OpenSslCli;
using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Interop;

/// <summary>
/// SM2 certificate requests both ways with OpenSSL 3. <c>openssl req -verify</c> on an SM2 request needs the user ID
/// spelled out (<c>-vfyopt distid:1234567812345678</c>); without it OpenSSL 3.0 verifies with an empty ID and says
/// "verify failure", which the first test logs. OpenSSL 3.0.19 exits 0 either way, so the tests read its message.
/// Without an SM2-capable openssl the tests say so and pass.
/// </summary>
public class CsrOpenSslTests(ITestOutputHelper output)
{
    [Fact]
    public void OpenSsl_verifies_our_request_and_refuses_a_tampered_one()
    {
        if (Unavailable())
        {
            return;
        }

        using var temp = new TempDirectory();
        var keys = Sm2.GenerateKeyPair(Rng);
        var request = Csr.ForInstitution(Bank102, "中国工商银行", keys.Private, Rng);
        File.WriteAllText(Path.Combine(temp.Path, "node.csr.pem"), Csr.WritePem(request));
        var der = request.GetDerEncoded();
        der[der.AsSpan().IndexOf("bank-102"u8) + 7] = (byte)'3'; // the subject now says bank-103
        File.WriteAllBytes(Path.Combine(temp.Path, "tampered.csr.der"), der);

        // OpenSSL 3.0.19's `req -verify` exits 0 whether or not the signature verifies; only its message tells.
        var (exit, stdout, stderr) = Run(temp.Path, "req", "-verify", "-vfyopt", DistId, "-in", "node.csr.pem", "-noout");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("self-signature verify OK", stdout + stderr, StringComparison.Ordinal);

        var tampered = Run(temp.Path, "req", "-verify", "-vfyopt", DistId, "-inform", "DER", "-in", "tampered.csr.der", "-noout");
        Assert.Contains("self-signature verify failure", tampered.Stdout + tampered.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("verify OK", tampered.Stdout + tampered.Stderr, StringComparison.Ordinal);

        var noDistId = Run(temp.Path, "req", "-verify", "-in", "node.csr.pem", "-noout");
        output.WriteLine($"req -verify without -vfyopt → exit {noDistId.Exit}: {noDistId.Stdout}{noDistId.Stderr}");
    }

    [Fact]
    public void We_verify_a_request_OpenSsl_made_for_an_SM2_key()
    {
        if (Unavailable())
        {
            return;
        }

        using var temp = new TempDirectory();
        var keys = Sm2.GenerateKeyPair(Rng);
        File.WriteAllText(Path.Combine(temp.Path, "key.pem"), Pem.WritePrivateKey(keys.Private));
        Check(Run(temp.Path, "req", "-new", "-key", "key.pem", "-sm3", "-sigopt", DistId, "-subj", "/CN=bank-102/O=ICBC", "-out", "openssl.csr.pem"));

        var request = Csr.ReadPem(File.ReadAllText(Path.Combine(temp.Path, "openssl.csr.pem")));
        var check = Csr.Verify(request);

        Assert.Equal(CsrFailure.None, check.Failure);
        Assert.Equal(((ECPublicKeyParameters)keys.Public).Q, ((ECPublicKeyParameters)check.PublicKey!).Q);
        Assert.Equal("bank-102", request.GetCertificationRequestInfo().Subject.GetValueList(X509Name.CN)[0]);
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
