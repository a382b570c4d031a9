using System.Text;

using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Tokens;

using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities.Encoders;

namespace OpenTreasury.Trust.Tests.Tokens;

public class Sm2DigestTests
{
    private const int Cases = 200;

    // Fixed seed: a failure reproduces with the same keys and messages.
    private static SecureRandom NewRandom(int seed)
    {
        var random = SecureRandom.GetInstance("SHA256PRNG", autoSeed: false);
        random.SetSeed(BitConverter.GetBytes(seed));
        return random;
    }

    [Fact]
    public void A_signature_of_e_verifies_with_BouncyCastles_SM2Signer_over_the_message()
    {
        var random = NewRandom(1);
        for (var i = 0; i < Cases; i++)
        {
            var keys = Sm2.GenerateKeyPair(random);
            var pub = (ECPublicKeyParameters)keys.Public;
            var message = new byte[random.Next(0, 300)];
            random.NextBytes(message);
            var userId = i % 3 == 0 ? Sm2.DefaultUserId : "user-" + i;

            var e = Sm2Digest.ComputeE(pub, message, userId);
            var signature = Sm2Digest.SignDigest((ECPrivateKeyParameters)keys.Private, e, random);

            var signer = new SM2Signer();
            signer.Init(false, new ParametersWithID(pub, Encoding.UTF8.GetBytes(userId)));
            signer.BlockUpdate(message, 0, message.Length);
            Assert.True(signer.VerifySignature(signature), $"case {i}");
            Assert.True(Sm2Digest.VerifyDigest(pub, e, signature), $"case {i}");
        }
    }

    [Fact]
    public void A_Sm2_Sign_signature_verifies_against_e_and_fails_against_another_e()
    {
        var random = NewRandom(2);
        for (var i = 0; i < Cases; i++)
        {
            var keys = Sm2.GenerateKeyPair(random);
            var pub = (ECPublicKeyParameters)keys.Public;
            var message = new byte[random.Next(0, 300)];
            random.NextBytes(message);

            var signature = Sm2.Sign(keys.Private, message, random);

            Assert.True(Sm2Digest.VerifyDigest(pub, Sm2Digest.ComputeE(pub, message), signature), $"case {i}");
            Assert.False(Sm2Digest.VerifyDigest(pub, Sm2Digest.ComputeE(pub, message, "another id"), signature), $"case {i}");
        }
    }

    [Fact]
    public void Z_for_the_default_id_is_what_BouncyCastle_hashes()
    {
        // With the default ID, SM3(Z‖M) signed by SignDigest verifies with Sm2.Verify (default ID).
        var random = NewRandom(3);
        var keys = Sm2.GenerateKeyPair(random);
        var pub = (ECPublicKeyParameters)keys.Public;
        var message = "国库集中支付"u8.ToArray();

        var signature = Sm2Digest.SignDigest((ECPrivateKeyParameters)keys.Private, Sm2Digest.ComputeE(pub, message), random);

        Assert.True(Sm2.Verify(pub, message, signature));
        Assert.False(Sm2.Verify(pub, "国库集中支付!"u8, signature));
    }

    [Fact]
    public void Z_depends_on_the_id_and_the_key_only()
    {
        var random = NewRandom(4);
        var a = (ECPublicKeyParameters)Sm2.GenerateKeyPair(random).Public;
        var b = (ECPublicKeyParameters)Sm2.GenerateKeyPair(random).Public;

        Assert.Equal(Sm2Digest.ComputeZ(a), Sm2Digest.ComputeZ(a));
        Assert.NotEqual(Sm2Digest.ComputeZ(a), Sm2Digest.ComputeZ(b));
        Assert.NotEqual(Sm2Digest.ComputeZ(a), Sm2Digest.ComputeZ(a, ""));
        Assert.Equal(32, Sm2Digest.ComputeZ(a).Length);
    }

    [Fact]
    public void VerifyDigest_rejects_hostile_bytes_without_throwing()
    {
        var random = NewRandom(5);
        var keys = Sm2.GenerateKeyPair(random);
        var pub = (ECPublicKeyParameters)keys.Public;
        var e = Sm2Digest.ComputeE(pub, "x"u8);
        var good = Sm2Digest.SignDigest((ECPrivateKeyParameters)keys.Private, e, random);

        Assert.False(Sm2Digest.VerifyDigest(pub, e, []));
        Assert.False(Sm2Digest.VerifyDigest(pub, e, new byte[70]));
        Assert.False(Sm2Digest.VerifyDigest(pub, e, [.. good, 0]));
        Assert.False(Sm2Digest.VerifyDigest(pub, e, Hex.Decode("3006020100020100")));
        var flipped = (byte[])good.Clone();
        flipped[^1] ^= 1;
        Assert.False(Sm2Digest.VerifyDigest(pub, e, flipped));
    }

    [Fact]
    public void A_digest_that_is_not_32_bytes_is_a_programming_error()
    {
        var keys = Sm2.GenerateKeyPair(NewRandom(6));

        Assert.Throws<ArgumentException>(() => Sm2Digest.SignDigest((ECPrivateKeyParameters)keys.Private, new byte[31], NewRandom(7)));
        Assert.Throws<ArgumentException>(() => Sm2Digest.ComputeZ((ECPublicKeyParameters)keys.Public, new string('a', 8192)));
    }

    [Fact]
    public void Der_raw_and_blob_forms_round_trip_and_keep_verifying()
    {
        var random = NewRandom(8);
        for (var i = 0; i < Cases; i++)
        {
            var keys = Sm2.GenerateKeyPair(random);
            var message = BitConverter.GetBytes(i);
            var der = Sm2.Sign(keys.Private, message, random);

            var raw = Sm2SignatureForms.DerToRaw(der);
            var blob = Sm2SignatureForms.DerToEccSignatureBlob(der);

            Assert.Equal(64, raw.Length);
            Assert.Equal(128, blob.Length);
            Assert.Equal(der, Sm2SignatureForms.RawToDer(raw));
            Assert.Equal(der, Sm2SignatureForms.EccSignatureBlobToDer(blob));
            Assert.Equal(raw, Sm2SignatureForms.EccSignatureBlobToRaw(blob));
            Assert.Equal(blob, Sm2SignatureForms.RawToEccSignatureBlob(raw));
            Assert.Equal(raw, PlainRaw(der));
            Assert.True(Sm2.Verify(keys.Public, message, Sm2SignatureForms.EccSignatureBlobToDer(blob)));
        }
    }

    [Fact]
    public void A_blob_puts_r_and_s_in_the_last_32_bytes_of_each_field()
    {
        var raw = new byte[64];
        raw[0] = 0x11;
        raw[31] = 0x22;
        raw[32] = 0x33;
        raw[63] = 0x44;

        var blob = Sm2SignatureForms.RawToEccSignatureBlob(raw);

        Assert.All(blob[..32], b => Assert.Equal(0, b));
        Assert.Equal(0x11, blob[32]);
        Assert.Equal(0x22, blob[63]);
        Assert.All(blob[64..96], b => Assert.Equal(0, b));
        Assert.Equal(0x33, blob[96]);
        Assert.Equal(0x44, blob[127]);
    }

    [Fact]
    public void Malformed_forms_are_FormatExceptions()
    {
        var leftAligned = new byte[128];
        leftAligned[0] = 1;
        leftAligned[64] = 1;

        Assert.Throws<FormatException>(() => Sm2SignatureForms.DerToRaw([0x30, 0x00]));
        Assert.Throws<FormatException>(() => Sm2SignatureForms.RawToDer(new byte[63]));
        Assert.Throws<FormatException>(() => Sm2SignatureForms.RawToDer(new byte[64]));
        Assert.Throws<FormatException>(() => Sm2SignatureForms.EccSignatureBlobToDer(leftAligned));
        Assert.Throws<FormatException>(() => Sm2SignatureForms.EccSignatureBlobToRaw(new byte[127]));
        Assert.Throws<FormatException>(() => Sm2SignatureForms.RawToDer(Enumerable.Repeat((byte)0xFF, 64).ToArray()));
    }

    private static byte[] PlainRaw(byte[] der)
    {
        var n = ((ECPublicKeyParameters)Sm2.GenerateKeyPair(NewRandom(9)).Public).Parameters.N;
        var rs = StandardDsaEncoding.Instance.Decode(n, der);
        return PlainDsaEncoding.Instance.Encode(n, rs[0], rs[1]);
    }
}
