using System.Text;

using FsCheck.Xunit;

using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Crypto.Sm2Curve;

using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace OpenTreasury.Trust.Tests.Crypto;

/// <summary>
/// Our sm2p256v1 arithmetic (Sm2Curve) against the standard's numbers and against BouncyCastle, the
/// reference, in both directions.
/// </summary>
public class Sm2FastTests
{
    /// <summary>
    /// Random keys × messages cross-checked per run. Raise to 100_000 (or set OT_SM2_CROSS_CASES) for a
    /// long soak; at 2,000 the test takes a few seconds.
    /// </summary>
    private const int RandomCases = 2_000;

    private static readonly ECDomainParameters s_curve = ECNamedDomainParameters.LookupOid(GMObjectIdentifiers.sm2p256v1);

    private static readonly BigInteger s_n = s_curve.N;

    private static readonly byte[] s_messageDigest = Encoding.ASCII.GetBytes("message digest");

    private static int Cases =>
        int.TryParse(Environment.GetEnvironmentVariable("OT_SM2_CROSS_CASES"), out var cases) && cases > 0 ? cases : RandomCases;

    [Fact]
    public void Curve_constants_are_BouncyCastle_s_sm2p256v1()
    {
        Assert.Equal(s_curve.Curve.Field.Characteristic.ToString(16), Hex(Sm2Field.P));
        Assert.Equal(s_n.ToString(16), Hex(Sm2Scalar.N));
        Sm2Field.FromMont(Sm2Point.B, out var b);
        Assert.Equal(s_curve.Curve.B.ToBigInteger().ToString(16), Hex(b));
        Sm2Field.FromMont(Sm2Point.G.X, out var gx);
        Sm2Field.FromMont(Sm2Point.G.Y, out var gy);
        Assert.Equal(s_curve.G.AffineXCoord.ToBigInteger().ToString(16), Hex(gx));
        Assert.Equal(s_curve.G.AffineYCoord.ToBigInteger().ToString(16), Hex(gy));
        Assert.True(Sm2Point.IsOnCurve(Sm2Point.G));
    }

    [Fact]
    public void Field_and_scalar_products_match_big_integers()
    {
        var p = Sm2Field.P.ToBigInteger();
        var n = Sm2Scalar.N.ToBigInteger();
        var r = System.Numerics.BigInteger.Pow(2, 256);
        var bytes = new byte[32];
        for (var i = 0; i < 500; i++)
        {
            var a = i switch
            {
                0 => U256.FromBigInteger(p - 1),
                1 => U256.FromBigInteger(p - 2),
                2 => new U256(1, 0, 0, 0),
                3 => default,
                4 => new U256(0, 0, 0, 1UL << 63),
                _ => RandomBelow(Sm2Field.P, bytes, i),
            };
            var b = i < 5 ? U256.FromBigInteger(p - 1) : RandomBelow(Sm2Field.P, bytes, i + 7);
            Sm2Field.ToMont(a, out var am);
            Sm2Field.ToMont(b, out var bm);
            Sm2Field.Mul(am, bm, out var prod);
            Sm2Field.FromMont(prod, out prod);
            Assert.Equal(a.ToBigInteger() * b.ToBigInteger() % p, prod.ToBigInteger());
            Sm2Field.Sqr(am, out var square);
            Sm2Field.FromMont(square, out square);
            Assert.Equal(a.ToBigInteger() * a.ToBigInteger() % p, square.ToBigInteger());
            Sm2Field.Add(a, b, out var sum);
            Assert.Equal((a.ToBigInteger() + b.ToBigInteger()) % p, sum.ToBigInteger());
            Sm2Field.Sub(a, b, out var diff);
            Assert.Equal((((a.ToBigInteger() - b.ToBigInteger()) % p) + p) % p, diff.ToBigInteger());
            if (!a.IsZero)
            {
                Sm2Field.Invert(am, out var inv);
                Sm2Field.Mul(inv, am, out var one);
                Assert.True(one.Equals(Sm2Field.One));
            }

            var x = RandomBelow(Sm2Scalar.N, bytes, i + 3);
            var y = RandomBelow(Sm2Scalar.N, bytes, i + 5);
            Sm2Scalar.Mul(x, y, out var mont);
            Assert.Equal(x.ToBigInteger() * y.ToBigInteger() * System.Numerics.BigInteger.ModPow(r, n - 2, n) % n, mont.ToBigInteger());
        }
    }

    [Fact]
    public void Wnaf_digits_are_odd_sparse_and_sum_to_the_scalar()
    {
        var bytes = new byte[32];
        Span<sbyte> naf = stackalloc sbyte[258];
        foreach (var width in new[] { Sm2Multiply.KeyWnafWidth, Sm2Multiply.BaseWnafWidth })
        {
            for (var i = 0; i < 300; i++)
            {
                var k = i switch
                {
                    0 => new U256(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue),
                    1 => new U256(1, 0, 0, 0),
                    _ => RandomBelow(new U256(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue), bytes, i),
                };
                Sm2Multiply.Wnaf(k, width, naf);
                var sum = System.Numerics.BigInteger.Zero;
                var lastNonZero = -width;
                for (var j = 0; j < naf.Length; j++)
                {
                    if (naf[j] != 0)
                    {
                        Assert.True((naf[j] & 1) == 1 && Math.Abs((int)naf[j]) < (1 << (width - 1)), $"digit {naf[j]}");
                        Assert.True(j - lastNonZero >= width, "nonzero digits closer than the width");
                        lastNonZero = j;
                        sum += naf[j] * System.Numerics.BigInteger.Pow(2, j);
                    }
                }

                Assert.Equal(k.ToBigInteger(), sum);
            }
        }
    }

    /// <summary>
    /// The signature example on the recommended curve (GM/T 0003.5-2012 style: sm2p256v1, default ID
    /// "1234567812345678", message "message digest"), with the example's d and k.
    /// </summary>
    [Fact]
    public void The_sm2p256v1_example_signature_is_reproduced()
    {
        var d = Convert.FromHexString("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8");
        var k = Convert.FromHexString("59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21");

        var der = Sm2Fast.SignWithNonce(d, k, Encoding.ASCII.GetBytes(Sm2.DefaultUserId), s_messageDigest);

        var (r, s) = RS(der!);
        Assert.Equal("F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3", r);
        Assert.Equal("B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA", s);
        var key = PrivateKey(new BigInteger(1, d));
        Assert.True(Sm2Reference.Verify(Sm2Reference.PublicKeyOf(key), s_messageDigest, der!));
        Assert.True(Sm2.Verify(Sm2.PublicKeyOf(key), s_messageDigest, der!));
    }

    /// <summary>
    /// GB/T 32918.2 Annex A's d, k, ID "ALICE123@YAHOO.COM" and message "message digest". The annex's
    /// r and s are on its 256-bit test curve, not sm2p256v1, so on sm2p256v1 the check is that our
    /// signature with that k is BouncyCastle's with that k, bit for bit.
    /// </summary>
    [Fact]
    public void The_annex_example_inputs_sign_as_BouncyCastle_does_with_the_same_k()
    {
        var d = Convert.FromHexString("128B2FA8BD433C6C068C8D803DFF79792A519A55171B1B650C23661D15897263");
        var k = Convert.FromHexString("6CB28D99385C175C94F94E934817663FC176D925DD72B727260DBAEE1FB2F96F");
        var id = Encoding.ASCII.GetBytes("ALICE123@YAHOO.COM");

        var ours = Sm2Fast.SignWithNonce(d, k, id, s_messageDigest);

        Assert.Equal(Convert.ToHexString(BcSignWithNonce(new BigInteger(1, d), k, id, s_messageDigest)), Convert.ToHexString(ours!));
    }

    [Fact]
    public void Random_keys_and_messages_cross_check_with_BouncyCastle_both_ways()
    {
        var rng = new Random(20261201);
        var message = new byte[300];
        var cases = Cases;
        for (var i = 0; i < cases; i++)
        {
            var keys = Sm2.GenerateKeyPair(TestNetwork.Rng);
            var priv = (ECPrivateKeyParameters)keys.Private;
            var pub = (ECPublicKeyParameters)keys.Public;
            var data = message.AsSpan(0, rng.Next(message.Length));
            rng.NextBytes(data);

            var derived = Sm2.PublicKeyOf(priv);
            Assert.True(pub.Q.Equals(derived.Q), $"d·G differs for d = {priv.D.ToString(16)}");

            var ours = Sm2.Sign(priv, data, TestNetwork.Rng);
            Assert.True(Sm2Reference.Verify(pub, data, ours), $"BouncyCastle refuses our signature, case {i}");
            var theirs = Sm2Reference.Sign(priv, data, TestNetwork.Rng);
            Assert.True(Sm2.Verify(pub, data, theirs), $"we refuse BouncyCastle's signature, case {i}");

            // A changed message or signature fails for both; a fresh key object (cold cache) agrees.
            if (i % 8 == 0)
            {
                var tampered = (byte[])theirs.Clone();
                tampered[rng.Next(tampered.Length)] ^= (byte)(1 << rng.Next(8));
                Assert.Equal(Sm2Reference.Verify(pub, data, tampered), Sm2.Verify(pub, data, tampered));
                Assert.False(Sm2.Verify(pub, [.. data, 0], theirs));
                var fresh = new ECPublicKeyParameters(pub.AlgorithmName, pub.Q, pub.Parameters);
                Assert.True(Sm2.Verify(fresh, data, ours));
            }
        }
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("3")]
    [InlineData("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54121")] // n − 2
    [InlineData("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54120")] // n − 3
    [InlineData("8000000000000000000000000000000000000000000000000000000000000000")] // 2^255
    [InlineData("0000000000000000000000000000000100000000000000000000000000000001")] // 2^128 + 1
    [InlineData("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF")] // every window carries
    [InlineData("820820820820820820820820820820820820820820820820820820820820820")] // digits of exactly 32 (100000b)
    [InlineData("0841041041041041041041041041041041041041041041041041041041041041")] // digit 1 in every window
    public void Edge_private_keys_derive_and_sign_as_BouncyCastle(string dHex)
    {
        var d = new BigInteger(dHex, 16);
        var key = PrivateKey(d);
        var expected = s_curve.G.Multiply(d).Normalize();

        var derived = Sm2.PublicKeyOf(key);

        Assert.True(expected.Equals(derived.Q));
        var signature = Sm2.Sign(key, s_messageDigest, TestNetwork.Rng);
        Assert.True(Sm2Reference.Verify(derived, s_messageDigest, signature));
        Assert.True(Sm2.Verify(derived, s_messageDigest, Sm2Reference.Sign(key, s_messageDigest, TestNetwork.Rng)));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("20")] // 32: one window at the top of its range
    [InlineData("21")] // 33: the first digit that carries
    [InlineData("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122")] // n − 1
    [InlineData("8000000000000000000000000000000000000000000000000000000000000000")] // many zero bits
    [InlineData("0000000000000000000000000000000100000000000000000000000000000000")] // 2^128
    [InlineData("8000000000000000000000000000000000000000000000000000000000000001")]
    public void Edge_nonces_give_BouncyCastle_s_signature(string kHex)
    {
        var d = new BigInteger("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8", 16);
        var k = Pad(new BigInteger(kHex, 16));
        var id = Encoding.ASCII.GetBytes(Sm2.DefaultUserId);

        var ours = Sm2Fast.SignWithNonce(Pad(d), k, id, s_messageDigest);

        Assert.NotNull(ours);
        Assert.Equal(Convert.ToHexString(BcSignWithNonce(d, k, id, s_messageDigest)), Convert.ToHexString(ours));
    }

    [Fact]
    public void A_private_key_of_n_minus_1_is_refused()
    {
        var key = PrivateKey(s_n.Subtract(BigInteger.One));

        Assert.Throws<ArgumentException>(() => Sm2.Sign(key, s_messageDigest, TestNetwork.Rng));
    }

    [Fact]
    public void Out_of_range_and_non_DER_signatures_are_refused_as_BouncyCastle_refuses_them()
    {
        var keys = Sm2.GenerateKeyPair(TestNetwork.Rng);
        var pub = (ECPublicKeyParameters)keys.Public;
        var (rHex, sHex) = RS(Sm2.Sign(keys.Private, s_messageDigest, TestNetwork.Rng));
        var r = new BigInteger(rHex, 16);
        var s = new BigInteger(sHex, 16);

        var candidates = new List<byte[]>
        {
            Der(r, s),
            Der(BigInteger.Zero, s),
            Der(r, BigInteger.Zero),
            Der(r.Add(s_n), s),
            Der(r.Add(BigInteger.One.ShiftLeft(256)), s), // 33 content bytes, the first one not a sign byte
            Der(r, s.Add(BigInteger.One.ShiftLeft(256))),
            Der(r, s.Add(s_n)),
            Der(s_n, s),
            Der(r, s_n.Subtract(r)), // t = r + s = n
            Der(r.Negate(), s),
            Der(r, s.Subtract(BigInteger.One)),
        };
        var valid = Der(r, s);
        candidates.Add([.. valid, 0]); // trailing byte
        candidates.Add([0x30, (byte)(valid.Length - 1), .. valid[2..], 0]);
        candidates.Add([0x30, 0x81, (byte)(valid.Length - 2), .. valid[2..]]); // long-form length
        var padded = new byte[] { 0x02, (byte)(valid[3] + 1), 0x00 }.Concat(valid[4..]).ToArray();
        candidates.Add([0x30, (byte)padded.Length, .. padded]); // r with a needless leading zero

        Assert.True(Sm2.Verify(pub, s_messageDigest, candidates[0]));
        foreach (var candidate in candidates.Skip(1))
        {
            Assert.False(Sm2.Verify(pub, s_messageDigest, candidate), Convert.ToHexString(candidate));
            Assert.False(Sm2Reference.Verify(pub, s_messageDigest, candidate), Convert.ToHexString(candidate));
        }
    }

    [Fact]
    public void Every_single_bit_flip_of_a_signature_or_message_is_refused()
    {
        var keys = Sm2.GenerateKeyPair(TestNetwork.Rng);
        var signature = Sm2.Sign(keys.Private, s_messageDigest, TestNetwork.Rng);

        for (var bit = 0; bit < signature.Length * 8; bit++)
        {
            var altered = (byte[])signature.Clone();
            altered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Sm2.Verify(keys.Public, s_messageDigest, altered), $"bit {bit}");
        }

        for (var bit = 0; bit < s_messageDigest.Length * 8; bit++)
        {
            var altered = (byte[])s_messageDigest.Clone();
            altered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Sm2.Verify(keys.Public, altered, signature), $"bit {bit}");
        }
    }

    [Property(MaxTest = 100)]
    public bool Any_message_signed_by_us_verifies_with_BouncyCastle_and_the_other_way(byte[] message)
    {
        var keys = Sm2.GenerateKeyPair(TestNetwork.Rng);
        var pub = (ECPublicKeyParameters)keys.Public;
        var priv = (ECPrivateKeyParameters)keys.Private;
        return Sm2Reference.Verify(pub, message, Sm2.Sign(priv, message, TestNetwork.Rng))
            && Sm2.Verify(pub, message, Sm2Reference.Sign(priv, message, TestNetwork.Rng));
    }

    private static ECPrivateKeyParameters PrivateKey(BigInteger d) =>
        new("EC", d, GMObjectIdentifiers.sm2p256v1);

    /// <summary>BouncyCastle's SM2Signer with its nonce fixed: its k calculator reads 32 bytes from the random.</summary>
    private static byte[] BcSignWithNonce(BigInteger d, byte[] k, byte[] id, byte[] message)
    {
        var signer = new SM2Signer();
        signer.Init(true, new ParametersWithID(new ParametersWithRandom(PrivateKey(d), new FixedRandom(k)), id));
        signer.BlockUpdate(message);
        return signer.GenerateSignature();
    }

    private static (string R, string S) RS(byte[] der)
    {
        var sequence = Asn1Sequence.GetInstance(der);
        return (
            DerInteger.GetInstance(sequence[0]).Value.ToString(16).ToUpperInvariant().PadLeft(64, '0'),
            DerInteger.GetInstance(sequence[1]).Value.ToString(16).ToUpperInvariant().PadLeft(64, '0'));
    }

    private static byte[] Der(BigInteger r, BigInteger s) =>
        new DerSequence(new DerInteger(r), new DerInteger(s)).GetEncoded();

    private static byte[] Pad(BigInteger value)
    {
        var bytes = value.ToByteArrayUnsigned();
        return [.. new byte[32 - bytes.Length], .. bytes];
    }

    private static string Hex(U256 value) => new BigInteger(1, value.ToBigEndian()).ToString(16);

    private static U256 RandomBelow(U256 bound, byte[] bytes, int seed)
    {
        var rng = new Random(seed);
        while (true)
        {
            rng.NextBytes(bytes);
            var value = U256.FromBigEndian(bytes);
            if (Montgomery.LessThan(value, bound) == 1)
            {
                return value;
            }
        }
    }

    /// <summary>A "random" source that returns the given bytes, so BouncyCastle's k is ours.</summary>
    private sealed class FixedRandom(byte[] bytes) : SecureRandom
    {
        public override void NextBytes(byte[] buf) => NextBytes(buf, 0, buf.Length);

        public override void NextBytes(byte[] buf, int off, int len) => bytes.AsSpan(0, len).CopyTo(buf.AsSpan(off));

        public override void NextBytes(Span<byte> buffer) => bytes.AsSpan(0, buffer.Length).CopyTo(buffer);
    }
}
