using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Tests.Pki;

using Org.BouncyCastle.Tsp;

using Xunit.Abstractions;

using static OpenTreasury.Trust.Tests.OpenSslCli;
using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Interop;

/// <summary>
/// The authority's wire side against OpenSSL 3's own client: <c>openssl ts -query -sm3 -cert</c> is answered by
/// <see cref="TimestampAuthority.Respond"/>, and <c>openssl ts -reply -text</c> reads the answer (granted, same nonce);
/// our request is read by <c>openssl ts -query -in</c>. Without an SM2-capable openssl the tests say so and pass.
/// </summary>
public class TimestampWireOpenSslTests(ITestOutputHelper output)
{
    [Fact]
    public void The_authority_answers_an_OpenSsl_query_and_OpenSsl_reads_the_reply()
    {
        if (Unavailable())
        {
            return;
        }

        using var temp = new TempDirectory();
        File.WriteAllText(Path.Combine(temp.Path, "data.txt"), "signature value");
        Check(Run(temp.Path, "ts", "-query", "-data", "data.txt", "-sm3", "-cert", "-out", "query.tsq"));
        var query = new TimeStampRequest(File.ReadAllBytes(Path.Combine(temp.Path, "query.tsq")));
        var pki = TestPki.Shared;
        var authority = new TimestampAuthority(pki.Tsa, pki.TsaKeys.Private, new FixedClock(Now.AddDays(3)), Rng);
        File.WriteAllBytes(Path.Combine(temp.Path, "reply.tsr"), authority.Respond(query.GetEncoded()));

        var (exit, text, stderr) = Run(temp.Path, "ts", "-reply", "-in", "reply.tsr", "-text");

        Assert.True(exit == 0, stderr);
        Assert.Contains("Status: Granted.", text, StringComparison.Ordinal);
        Assert.Contains("Hash Algorithm: sm3", text, StringComparison.Ordinal);
        Assert.Equal(query.Nonce, NonceIn(text));
        output.WriteLine(text);
    }

    [Fact]
    public void OpenSsl_reads_our_query_and_a_SHA256_query_is_rejected_with_badAlg()
    {
        if (Unavailable())
        {
            return;
        }

        using var temp = new TempDirectory();
        var ours = TimestampRequests.Create("signature value"u8, Rng);
        File.WriteAllBytes(Path.Combine(temp.Path, "ours.tsq"), ours.GetEncoded());
        File.WriteAllText(Path.Combine(temp.Path, "data.txt"), "signature value");
        Check(Run(temp.Path, "ts", "-query", "-data", "data.txt", "-sha256", "-out", "sha256.tsq"));
        var pki = TestPki.Shared;
        var authority = new TimestampAuthority(pki.Tsa, pki.TsaKeys.Private, new FixedClock(Now.AddDays(3)), Rng);
        File.WriteAllBytes(Path.Combine(temp.Path, "rejected.tsr"), authority.Respond(File.ReadAllBytes(Path.Combine(temp.Path, "sha256.tsq"))));

        var query = Run(temp.Path, "ts", "-query", "-in", "ours.tsq", "-text");
        var rejected = Run(temp.Path, "ts", "-reply", "-in", "rejected.tsr", "-text");

        Assert.True(query.Exit == 0, query.Stderr);
        Assert.Contains("Hash Algorithm: sm3", query.Stdout, StringComparison.Ordinal);
        Assert.Contains("Certificate required: yes", query.Stdout, StringComparison.Ordinal);
        Assert.Equal(ours.Nonce, NonceIn(query.Stdout));
        Assert.True(rejected.Exit == 0, rejected.Stderr);
        Assert.Contains("Status: Rejected.", rejected.Stdout, StringComparison.Ordinal);
        Assert.Contains("unrecognized or unsupported algorithm identifier", rejected.Stdout, StringComparison.Ordinal);
        output.WriteLine(rejected.Stdout);
    }

    // OpenSSL prints whole bytes (a leading 0 nibble included); BigInteger.ToString(16) does not, so compare values.
    private static Org.BouncyCastle.Math.BigInteger NonceIn(string text)
    {
        var match = System.Text.RegularExpressions.Regex.Match(text, "Nonce: 0x([0-9A-F]+)");
        Assert.True(match.Success, text);
        return new Org.BouncyCastle.Math.BigInteger(match.Groups[1].Value, 16);
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
