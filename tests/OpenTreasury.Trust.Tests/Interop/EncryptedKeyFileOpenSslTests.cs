using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Crypto.Parameters;

using Xunit.Abstractions;

using static OpenTreasury.Trust.Tests.OpenSslCli;
using static OpenTreasury.Trust.Tests.TestNetwork;

namespace OpenTreasury.Trust.Tests.Interop;

/// <summary>
/// Encrypted PKCS#8 both ways with OpenSSL 3: ours decrypted by <c>openssl pkey</c> / <c>openssl pkcs8</c>, and
/// OpenSSL's <c>pkcs8 -topk8 -v2 sm4-cbc</c> and <c>-v2 aes-256-cbc</c> read by ours. Without an SM2-capable openssl
/// the tests say so and pass.
/// </summary>
public class EncryptedKeyFileOpenSslTests(ITestOutputHelper output)
{
    // Non-ASCII on purpose: both sides must use the passphrase's UTF-8 bytes.
    private const string Passphrase = "国库集中支付-passphrase";

    [Fact]
    public void OpenSsl_decrypts_our_encrypted_key_and_refuses_a_wrong_passphrase()
    {
        if (Unavailable())
        {
            return;
        }

        using var temp = new TempDirectory();
        var keys = Sm2.GenerateKeyPair(Rng);
        EncryptedKeyFile.Save(Path.Combine(temp.Path, "node.key.pem"), keys.Private, Passphrase, Rng);
        File.WriteAllText(Path.Combine(temp.Path, "node.pub.pem"), Pem.WritePublicKey(keys.Public));

        var (exit, plain, stderr) = Run(temp.Path, "pkcs8", "-in", "node.key.pem", "-passin", "pass:" + Passphrase);
        Assert.True(exit == 0, stderr);
        Assert.Equal(((ECPrivateKeyParameters)keys.Private).D, ((ECPrivateKeyParameters)Pem.ReadPrivateKey(plain)).D);

        // The public key OpenSSL derives from the decrypted key is ours.
        var pub = Run(temp.Path, "pkey", "-in", "node.key.pem", "-passin", "pass:" + Passphrase, "-pubout");
        Assert.True(pub.Exit == 0, pub.Stderr);
        Assert.Equal(Pem.WritePublicKey(keys.Public), pub.Stdout.ReplaceLineEndings("\n"));

        var wrong = Run(temp.Path, "pkey", "-in", "node.key.pem", "-passin", "pass:wrong-passphrase", "-noout");
        Assert.NotEqual(0, wrong.Exit);
        output.WriteLine($"openssl with a wrong passphrase: {wrong.Stderr}");
    }

    [Theory]
    [InlineData("sm4-cbc")]
    [InlineData("aes-256-cbc")]
    public void We_read_a_key_OpenSsl_encrypted(string cipher)
    {
        if (Unavailable())
        {
            return;
        }

        using var temp = new TempDirectory();
        var keys = Sm2.GenerateKeyPair(Rng);
        File.WriteAllText(Path.Combine(temp.Path, "plain.pem"), Pem.WritePrivateKey(keys.Private));
        Check(Run(temp.Path, "pkcs8", "-topk8", "-v2", cipher, "-v2prf", "hmacWithSHA256", "-in", "plain.pem", "-out", "enc.pem", "-passout", "pass:" + Passphrase));

        var read = EncryptedKeyFile.Load(Path.Combine(temp.Path, "enc.pem"), Passphrase);

        Assert.Equal(((ECPrivateKeyParameters)keys.Private).D, ((ECPrivateKeyParameters)read).D);
        Assert.Equal(
            KeyFileFailure.WrongPassphrase,
            Assert.Throws<KeyFileException>(() => EncryptedKeyFile.Load(Path.Combine(temp.Path, "enc.pem"), "wrong-passphrase")).Failure);
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
