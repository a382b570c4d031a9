using System.Diagnostics;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Tokens;
using Org.BouncyCastle.Crypto.Parameters;
using Xunit.Abstractions;
using static OpenTreasury.Trust.Tests.OpenSslCli;
using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Tokens;

/// <summary>
/// Signatures of a precomputed e are ordinary SM2 signatures to OpenSSL 3, both ways. Without an OpenSSL
/// that knows SM2 the tests say so in their output and pass, proving nothing on that machine.
/// </summary>
public class TokenOpenSslTests(ITestOutputHelper output)
{
    private const int Cases = 10;

    [Fact]
    public void OpenSsl_verifies_signatures_of_e_made_here()
    {
        if (Unavailable())
        {
            return;
        }

        using var temp = new TempDirectory();
        for (var i = 0; i < Cases; i++)
        {
            var keys = Sm2.GenerateKeyPair(Rng);
            var pub = (ECPublicKeyParameters)keys.Public;
            var message = new byte[Rng.Next(1, 500)];
            Rng.NextBytes(message);
            var signature = Sm2Digest.SignDigest((ECPrivateKeyParameters)keys.Private, Sm2Digest.ComputeE(pub, message), Rng);
            File.WriteAllText(Path.Combine(temp.Path, "pub.pem"), Pem.WritePublicKey(pub));
            File.WriteAllBytes(Path.Combine(temp.Path, "data.bin"), message);
            File.WriteAllBytes(Path.Combine(temp.Path, "sig.der"), signature);

            var (exit, stdout, stderr) = Run(temp.Path, "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pkeyopt", DistId, "-pubin", "-inkey", "pub.pem", "-in", "data.bin", "-sigfile", "sig.der");

            Assert.True(exit == 0, $"case {i}: {stdout}{stderr}");
        }
    }

    [Fact]
    public void VerifyDigest_accepts_OpenSsl_signatures()
    {
        if (Unavailable())
        {
            return;
        }

        using var temp = new TempDirectory();
        var message = "国库集中支付电子化"u8.ToArray();
        File.WriteAllBytes(Path.Combine(temp.Path, "data.bin"), message);
        Check(Run(temp.Path, "genpkey", "-algorithm", "SM2", "-out", "key.pem"));
        Check(Run(temp.Path, "pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"));
        Check(Run(temp.Path, "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-pkeyopt", DistId, "-inkey", "key.pem", "-in", "data.bin", "-out", "sig.der"));
        var pub = (ECPublicKeyParameters)Pem.ReadPublicKey(File.ReadAllText(Path.Combine(temp.Path, "pub.pem")));
        var signature = File.ReadAllBytes(Path.Combine(temp.Path, "sig.der"));

        Assert.True(Sm2Digest.VerifyDigest(pub, Sm2Digest.ComputeE(pub, message), signature));
        Assert.False(Sm2Digest.VerifyDigest(pub, Sm2Digest.ComputeE(pub, "other"u8), signature));
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
