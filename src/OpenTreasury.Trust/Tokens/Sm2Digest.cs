using System.Text;

using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;

namespace OpenTreasury.Trust.Tokens;

/// <summary>
/// SM2 split the way a USBKey splits it (GM/T 0016 <c>SKF_DigestInit</c> + <c>SKF_ECCSignData</c>): the
/// host computes <c>Z = SM3(ENTL‖ID‖a‖b‖xG‖yG‖xA‖yA)</c> and <c>e = SM3(Z‖M)</c>, the token signs
/// <c>e</c>. BouncyCastle's <see cref="SM2Signer"/> only signs whole messages (bc-csharp#502), so the
/// signature equations of GB/T 32918.2 §6.1 are written out here on BouncyCastle's curve arithmetic.
/// </summary>
/// <remarks>
/// A signature made here verifies with <see cref="SM2Signer"/> (and <see cref="Sm2.Verify"/>) over the
/// original message with the same user ID, and the other way round; the tests prove both directions.
/// </remarks>
public static class Sm2Digest
{
    /// <summary>Bytes of <c>e</c>: one SM3 hash.</summary>
    public const int DigestBytes = Sm3.HashBytes;

    /// <summary>
    /// Longest user ID in bytes: ENTL is the ID's length in bits in two bytes, so 8191 bytes is the most
    /// it can say (BouncyCastle rejects 8192 and more since 2.7.0).
    /// </summary>
    public const int UserIdBytesMax = 8191;

    /// <summary>
    /// <c>Z = SM3(ENTL‖ID‖a‖b‖xG‖yG‖xA‖yA)</c>, the hash that binds a signature to the signer's identity
    /// and key. The ID is taken as UTF-8 bytes (the default is ASCII, so the same).
    /// </summary>
    public static byte[] ComputeZ(ECPublicKeyParameters publicKey, string userId = Sm2.DefaultUserId)
    {
        RequireSm2(publicKey);
        var id = UserIdBytes(userId);
        var hasher = Sm3Hasher.Create();
        var bits = checked(id.Length * 8);
        hasher.Append([(byte)(bits >> 8), (byte)bits]);
        hasher.Append(id);
        var parameters = publicKey.Parameters;
        var curve = parameters.Curve;
        AddField(ref hasher, curve.A);
        AddField(ref hasher, curve.B);
        var g = parameters.G.Normalize();
        AddField(ref hasher, g.AffineXCoord);
        AddField(ref hasher, g.AffineYCoord);
        var q = publicKey.Q.Normalize();
        AddField(ref hasher, q.AffineXCoord);
        AddField(ref hasher, q.AffineYCoord);
        var z = new byte[DigestBytes];
        hasher.Finish(z);
        return z;
    }

    /// <summary><c>e = SM3(Z‖M)</c>: what a token's <c>SKF_ECCSignData</c> signs.</summary>
    public static byte[] ComputeE(ECPublicKeyParameters publicKey, ReadOnlySpan<byte> message, string userId = Sm2.DefaultUserId)
    {
        var z = ComputeZ(publicKey, userId);
        var hasher = Sm3Hasher.Create();
        hasher.Append(z);
        hasher.Append(message);
        var e = new byte[DigestBytes];
        hasher.Finish(e);
        return e;
    }

    /// <summary>
    /// SM2 signature of a precomputed <paramref name="e"/> (32 bytes), DER <c>SEQUENCE{r,s}</c>:
    /// k random in [1, n−1]; (x1, y1) = kG; r = (e + x1) mod n, again if r = 0 or r + k = n;
    /// s = (1 + d)⁻¹·(k − r·d) mod n, again if s = 0.
    /// </summary>
    public static byte[] SignDigest(ECPrivateKeyParameters privateKey, ReadOnlySpan<byte> e, SecureRandom random)
    {
        RequireSm2(privateKey);
        ArgumentNullException.ThrowIfNull(random);
        var (r, s) = SignDigestRaw(privateKey, e, random);
        return StandardDsaEncoding.Instance.Encode(privateKey.Parameters.N, r, s);
    }

    /// <summary>
    /// True when <paramref name="signature"/> (strict DER) is a valid SM2 signature of the precomputed
    /// <paramref name="e"/> under <paramref name="publicKey"/>. Never throws on hostile signature bytes.
    /// </summary>
    public static bool VerifyDigest(ECPublicKeyParameters publicKey, ReadOnlySpan<byte> e, ReadOnlySpan<byte> signature)
    {
        RequireSm2(publicKey);
        RequireDigest(e);
        var n = publicKey.Parameters.N;
        BigInteger[] rs;
        try
        {
            rs = StandardDsaEncoding.Instance.Decode(n, signature.ToArray());
        }
        catch (Exception)
        {
            // Not DER, trailing bytes, negative or out-of-range integers: simply not a valid signature.
            return false;
        }

        return VerifyRaw(publicKey, e, rs[0], rs[1]);
    }

    private static (BigInteger R, BigInteger S) SignDigestRaw(ECPrivateKeyParameters privateKey, ReadOnlySpan<byte> e, SecureRandom random)
    {
        RequireDigest(e);
        var parameters = privateKey.Parameters;
        var n = parameters.N;
        var d = privateKey.D;
        var eInt = new BigInteger(1, e.ToArray());
        var multiplier = new FixedPointCombMultiplier();
        var nMinusOne = n.Subtract(BigInteger.One);
        var dPlusOneInverse = d.Add(BigInteger.One).ModInverse(n);
        while (true)
        {
            var k = BigIntegers.CreateRandomInRange(BigInteger.One, nMinusOne, random);
            var x1 = multiplier.Multiply(parameters.G, k).Normalize().AffineXCoord.ToBigInteger();
            var r = eInt.Add(x1).Mod(n);
            if (r.SignValue == 0 || r.Add(k).Equals(n))
            {
                continue;
            }

            var s = dPlusOneInverse.Multiply(k.Subtract(r.Multiply(d))).Mod(n);
            if (s.SignValue == 0)
            {
                continue;
            }

            return (r, s);
        }
    }

    private static bool VerifyRaw(ECPublicKeyParameters publicKey, ReadOnlySpan<byte> e, BigInteger r, BigInteger s)
    {
        var n = publicKey.Parameters.N;
        if (r.SignValue <= 0 || r.CompareTo(n) >= 0 || s.SignValue <= 0 || s.CompareTo(n) >= 0)
        {
            return false;
        }

        var t = r.Add(s).Mod(n);
        if (t.SignValue == 0)
        {
            return false;
        }

        var point = ECAlgorithms.SumOfTwoMultiplies(publicKey.Parameters.G, s, publicKey.Q, t).Normalize();
        if (point.IsInfinity)
        {
            return false;
        }

        var expected = new BigInteger(1, e.ToArray()).Add(point.AffineXCoord.ToBigInteger()).Mod(n);
        return expected.Equals(r);
    }

    private static void AddField(ref Sm3Hasher hasher, ECFieldElement element) => hasher.Append(element.GetEncoded());

    private static byte[] UserIdBytes(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var id = Encoding.UTF8.GetBytes(userId);
        return id.Length <= UserIdBytesMax
            ? id
            : throw new ArgumentException($"An SM2 user ID is at most {UserIdBytesMax} bytes, not {id.Length}.", nameof(userId));
    }

    private static void RequireDigest(ReadOnlySpan<byte> e)
    {
        if (e.Length != DigestBytes)
        {
            throw new ArgumentException($"An SM2 digest e is {DigestBytes} bytes (SM3), not {e.Length}.", nameof(e));
        }
    }

    private static void RequireSm2(ECKeyParameters key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!Sm2.IsSm2Key(key))
        {
            throw new ArgumentException("An SM2 key on sm2p256v1 is required.", nameof(key));
        }
    }
}
