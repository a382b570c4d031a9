using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Trust.Tests.Crypto;

/// <summary>Our SM3 behind BouncyCastle's IDigest gives what BouncyCastle's own SM3Digest gives, wherever it is used.</summary>
public class Sm3DigestAdapterTests
{
    private const int HmacCases = 1_000;

    [Fact]
    public void Byte_by_byte_and_span_updates_hash_as_BouncyCastle_and_each_DoFinal_starts_over()
    {
        var data = new byte[300];
        new Random(401).NextBytes(data);
        var ours = new Sm3DigestAdapter();
        var theirs = new SM3Digest();
        foreach (var b in data)
        {
            ours.Update(b);
            theirs.Update(b);
        }

        Assert.Equal(Final(theirs), Final(ours));

        ours.BlockUpdate(data, 7, 200);
        theirs.BlockUpdate(data, 7, 200);
        Assert.Equal(Final(theirs), Final(ours));
        Assert.Equal(Sm3.Hash([]), Final(ours));
        Assert.Equal(("SM3", 32, 64), (ours.AlgorithmName, ours.GetDigestSize(), ours.GetByteLength()));
    }

    [Fact]
    public void A_copy_carries_on_from_the_same_state_and_Reset_to_a_copy_goes_back_to_it()
    {
        var prefix = "ENTL‖ID‖a‖b"u8.ToArray();
        var digest = new Sm3DigestAdapter();
        digest.BlockUpdate(prefix);
        var saved = digest.Copy();

        digest.BlockUpdate("one"u8);
        var one = Final(digest);
        digest.Reset(saved);
        digest.BlockUpdate("two"u8);

        Assert.Equal(Sm3.Hash([.. prefix, .. "one"u8]), one);
        Assert.Equal(Sm3.Hash([.. prefix, .. "two"u8]), Final(digest));
        Assert.Throws<ArgumentException>(() => digest.Reset(new SM3Digest()));
    }

    [Fact]
    public void Hmac_sm3_of_random_keys_and_messages_is_BouncyCastles()
    {
        var rng = new Random(2104);
        for (var i = 0; i < HmacCases; i++)
        {
            // Keys shorter and longer than a block (a long key is hashed first).
            var key = new byte[rng.Next(1, 150)];
            var message = new byte[rng.Next(0, 500)];
            rng.NextBytes(key);
            rng.NextBytes(message);

            Assert.Equal(Hmac(new SM3Digest(), key, message), Hmac(new Sm3DigestAdapter(), key, message));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1000)]
    public void Pbkdf2_with_hmac_sm3_is_BouncyCastles(int iterations)
    {
        var password = "123456"u8.ToArray();
        var salt = "OpenTreasury salt"u8.ToArray();

        Assert.Equal(Pbkdf2(new SM3Digest(), password, salt, iterations), Pbkdf2(new Sm3DigestAdapter(), password, salt, iterations));
    }

    [Fact]
    public void Sm2_encryption_with_our_sm3_decrypts_with_BouncyCastles_and_the_other_way_round()
    {
        var random = new SecureRandom();
        var keys = Sm2.GenerateKeyPair(random);
        var plaintext = new byte[777];
        random.NextBytes(plaintext);

        var ours = Sm2.Encrypt(keys.Public, plaintext, random);
        var reference = new SM2Engine(SM2Engine.Mode.C1C3C2);
        reference.Init(false, keys.Private);
        Assert.Equal(plaintext, reference.ProcessBlock(ours, 0, ours.Length));

        reference.Init(true, new ParametersWithRandom(keys.Public, random));
        var theirs = reference.ProcessBlock(plaintext, 0, plaintext.Length);
        Assert.True(Sm2.TryDecrypt(keys.Private, theirs, out var decrypted));
        Assert.Equal(plaintext, decrypted);
    }

    private static byte[] Final(IDigest digest)
    {
        var hash = new byte[digest.GetDigestSize()];
        digest.DoFinal(hash, 0);
        return hash;
    }

    private static byte[] Hmac(IDigest digest, byte[] key, byte[] message)
    {
        var mac = new HMac(digest);
        mac.Init(new KeyParameter(key));
        mac.BlockUpdate(message, 0, message.Length);
        var output = new byte[mac.GetMacSize()];
        mac.DoFinal(output, 0);

        // A second MAC with the same key exercises the copied inner and outer pad states.
        mac.BlockUpdate(message, 0, message.Length);
        var again = new byte[mac.GetMacSize()];
        mac.DoFinal(again, 0);
        Assert.Equal(output, again);
        return output;
    }

    private static byte[] Pbkdf2(IDigest digest, byte[] password, byte[] salt, int iterations)
    {
        var generator = new Pkcs5S2ParametersGenerator(digest);
        generator.Init(password, salt, iterations);
        return ((KeyParameter)generator.GenerateDerivedMacParameters(2 * Sm3.HashBytes * 8)).GetKey();
    }
}
