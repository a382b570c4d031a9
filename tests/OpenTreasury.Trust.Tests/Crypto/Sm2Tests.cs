using System.Text;

using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Tests.Crypto;

public class Sm2Tests
{
    private static readonly byte[] s_message = Encoding.UTF8.GetBytes("授权支付凭证 5201 ¥1234.50");

    [Fact]
    public void Generated_keys_encode_the_named_curve_in_SPKI_and_PKCS8()
    {
        var keys = Sm2.GenerateKeyPair(TestNetwork.Rng);

        var spki = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(keys.Public);
        Assert.Equal("1.2.840.10045.2.1", spki.Algorithm.Algorithm.Id);
        Assert.Equal(Sm2.CurveOid, X962ParametersOid(spki.Algorithm.Parameters));
        var pkcs8 = PrivateKeyInfoFactory.CreatePrivateKeyInfo(keys.Private);
        Assert.Equal(Sm2.CurveOid, X962ParametersOid(pkcs8.PrivateKeyAlgorithm.Parameters));
    }

    [Fact]
    public void A_signature_verifies_and_is_DER_r_s()
    {
        var keys = Sm2.GenerateKeyPair(TestNetwork.Rng);

        var signature = Sm2.Sign(keys.Private, s_message, TestNetwork.Rng);

        Assert.InRange(signature.Length, 8, 72);
        Assert.Equal(0x30, signature[0]);
        Assert.True(Sm2.Verify(keys.Public, s_message, signature));
        Assert.True(Sm2.Verify(Sm2.PublicKeyOf(keys.Private), s_message, signature));
    }

    [Fact]
    public void A_signature_fails_for_other_data_another_key_or_altered_bytes()
    {
        var keys = Sm2.GenerateKeyPair(TestNetwork.Rng);
        var other = Sm2.GenerateKeyPair(TestNetwork.Rng);
        var signature = Sm2.Sign(keys.Private, s_message, TestNetwork.Rng);
        var altered = (byte[])s_message.Clone();
        altered[3] ^= 1;
        var badSignature = (byte[])signature.Clone();
        badSignature[^1] ^= 1;

        Assert.False(Sm2.Verify(keys.Public, altered, signature));
        Assert.False(Sm2.Verify(other.Public, s_message, signature));
        Assert.False(Sm2.Verify(keys.Public, s_message, badSignature));
        Assert.False(Sm2.Verify(keys.Public, s_message, signature.AsSpan(0, 10)));
        Assert.False(Sm2.Verify(keys.Public, s_message, []));
    }

    [Fact]
    public void Verify_never_throws_on_hostile_signature_bytes()
    {
        var keys = Sm2.GenerateKeyPair(TestNetwork.Rng);
        var bytes = new byte[80];

        for (var i = 0; i < 2_000; i++)
        {
            TestNetwork.Rng.NextBytes(bytes);
            bytes[0] = 0x30; // Look like a SEQUENCE so the DER decoder gets further.
            bytes[1] = (byte)(i % 80);
            Assert.False(Sm2.Verify(keys.Public, s_message, bytes.AsSpan(0, 2 + (i % 78))));
        }
    }

    [Fact]
    public void Encryption_round_trips_in_C1C3C2_order()
    {
        var keys = Sm2.GenerateKeyPair(TestNetwork.Rng);
        var secret = Sm4.GenerateKey(TestNetwork.Rng);

        var ciphertext = Sm2.Encrypt(keys.Public, secret, TestNetwork.Rng);

        Assert.Equal(secret.Length + Sm2.CiphertextOverheadBytes, ciphertext.Length);
        Assert.Equal(0x04, ciphertext[0]); // C1 is an uncompressed point.
        Assert.Equal(secret, Sm2.Decrypt(keys.Private, ciphertext));
        var c1c3c2 = new SM2Engine(SM2Engine.Mode.C1C3C2);
        c1c3c2.Init(false, keys.Private);
        Assert.Equal(secret, c1c3c2.ProcessBlock(ciphertext, 0, ciphertext.Length));
    }

    [Fact]
    public void Decryption_refuses_another_key_and_altered_ciphertext()
    {
        var keys = Sm2.GenerateKeyPair(TestNetwork.Rng);
        var other = Sm2.GenerateKeyPair(TestNetwork.Rng);
        var ciphertext = Sm2.Encrypt(keys.Public, s_message, TestNetwork.Rng);
        var altered = (byte[])ciphertext.Clone();
        altered[^1] ^= 1;

        Assert.False(Sm2.TryDecrypt(other.Private, ciphertext, out _));
        Assert.False(Sm2.TryDecrypt(keys.Private, altered, out _));
        Assert.False(Sm2.TryDecrypt(keys.Private, ciphertext.AsSpan(0, 50), out _));
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => Sm2.Decrypt(keys.Private, altered));
    }

    [Fact]
    public void Keys_on_another_curve_are_refused()
    {
        var p256 = new Org.BouncyCastle.Crypto.Generators.ECKeyPairGenerator();
        p256.Init(new ECKeyGenerationParameters(Org.BouncyCastle.Asn1.Sec.SecObjectIdentifiers.SecP256r1, TestNetwork.Rng));
        var keys = p256.GenerateKeyPair();

        Assert.False(Sm2.IsSm2Key(keys.Public));
        Assert.Throws<ArgumentException>(() => Sm2.Sign(keys.Private, s_message, TestNetwork.Rng));
        Assert.Throws<ArgumentException>(() => Sm2.Verify(keys.Public, s_message, new byte[70]));
    }

    private static string X962ParametersOid(Org.BouncyCastle.Asn1.Asn1Encodable? parameters) =>
        Org.BouncyCastle.Asn1.X9.X962Parameters.GetInstance(parameters).Parameters.ToString()!;
}
