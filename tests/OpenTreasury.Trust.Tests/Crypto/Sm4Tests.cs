using System.Security.Cryptography;
using System.Text;

using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Security;

namespace OpenTreasury.Trust.Tests.Crypto;

public class Sm4Tests
{
    private static readonly byte[] s_envelope = Encoding.UTF8.GetBytes("<MOF><Voucher>…</Voucher></MOF>");

    [Fact]
    public void Gcm_round_trips_with_associated_data()
    {
        var key = Sm4.GenerateKey(TestNetwork.Rng);
        var header = Encoding.ASCII.GetBytes("to=bank-102;seq=7");

        var sealedBytes = Sm4.Encrypt(key, s_envelope, TestNetwork.Rng, header);

        Assert.Equal(s_envelope.Length + Sm4.OverheadBytes, sealedBytes.Length);
        Assert.Equal(s_envelope, Sm4.Decrypt(key, sealedBytes, header));
    }

    [Fact]
    public void Gcm_refuses_altered_bytes_another_key_or_other_associated_data()
    {
        var key = Sm4.GenerateKey(TestNetwork.Rng);
        var header = Encoding.ASCII.GetBytes("to=bank-102");
        var sealedBytes = Sm4.Encrypt(key, s_envelope, TestNetwork.Rng, header);

        for (var i = 0; i < sealedBytes.Length; i++)
        {
            var altered = (byte[])sealedBytes.Clone();
            altered[i] ^= 0x80;
            Assert.False(Sm4.TryDecrypt(key, altered, out _, header), $"byte {i} altered");
        }

        Assert.False(Sm4.TryDecrypt(Sm4.GenerateKey(TestNetwork.Rng), sealedBytes, out _, header));
        Assert.False(Sm4.TryDecrypt(key, sealedBytes, out _, Encoding.ASCII.GetBytes("to=bank-103")));
        Assert.False(Sm4.TryDecrypt(key, sealedBytes.AsSpan(0, Sm4.OverheadBytes - 1), out _, header));
        Assert.Throws<CryptographicException>(() => Sm4.Decrypt(key, sealedBytes));
    }

    [Fact]
    public void Gcm_matches_the_RFC_8998_test_vector()
    {
        var key = Convert.FromHexString("0123456789ABCDEFFEDCBA9876543210");
        var nonce = Convert.FromHexString("00001234567800000000ABCD");
        var aad = Convert.FromHexString("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
        var plaintext = Convert.FromHexString(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA");

        var sealedBytes = Sm4.Encrypt(key, plaintext, new FixedBytes(nonce), aad);

        Assert.Equal(
            "00001234567800000000ABCD"
            + "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
            + "83DE3541E4C2B58177E065A9BF7B62EC",
            Convert.ToHexString(sealedBytes));
    }

    [Fact]
    public void Keys_must_be_16_bytes() =>
        Assert.Throws<ArgumentException>(() => Sm4.Encrypt(new byte[15], s_envelope, TestNetwork.Rng));

    /// <summary>A "random" source that returns given bytes, to reproduce a published nonce.</summary>
    private sealed class FixedBytes(byte[] bytes) : SecureRandom
    {
        public override void NextBytes(byte[] buf) => NextBytes(buf.AsSpan());

        public override void NextBytes(byte[] buf, int off, int len) => NextBytes(buf.AsSpan(off, len));

        public override void NextBytes(Span<byte> buffer) => bytes.AsSpan(0, buffer.Length).CopyTo(buffer);
    }
}
