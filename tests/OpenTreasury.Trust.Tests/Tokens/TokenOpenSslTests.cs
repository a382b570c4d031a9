using System.Diagnostics;

using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Tokens;

using Org.BouncyCastle.Crypto.Parameters;

using Xunit.Abstractions;

using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Tokens;

/// <summary>
/// Signatures of a precomputed e are ordinary SM2 signatures to OpenSSL 3, both ways. Without an OpenSSL
/// that knows SM2 the tests say so in their output and pass, proving nothing on that machine.
/// </summary>
public class TokenOpenSslTests(ITestOutputHelper output)
{
    private const string DistId = "distid:" + Sm2.DefaultUserId;
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
        var reason = FindUnavailability();
        if (reason is not null)
        {
            output.WriteLine($"NOT RUN: {reason}. This test proves nothing on this machine.");
            return true;
        }

        return false;
    }

    private static string? FindUnavailability()
    {
        try
        {
            var (exit, stdout, _) = Run(Path.GetTempPath(), "list", "-public-key-algorithms");
            return exit == 0 && stdout.Contains("SM2", StringComparison.OrdinalIgnoreCase)
                ? null
                : "the openssl on PATH does not list SM2 among its public-key algorithms";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"no openssl on PATH ({e.Message})";
        }
    }

    private static void Check((int Exit, string Stdout, string Stderr) result) =>
        Assert.True(result.Exit == 0, result.Stdout + result.Stderr);

    // A copy of the runner in Interop/OpenSslTests.cs, which this folder may not change; one shared helper
    // would be better.
    private static (int Exit, string Stdout, string Stderr) Run(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            throw new TimeoutException($"openssl {string.Join(' ', arguments)} did not finish in 30 s");
        }

        return (process.ExitCode, stdout, stderr.GetAwaiter().GetResult());
    }
}
