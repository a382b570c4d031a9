using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;

using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Trust.Crypto.Sm2Curve;

/// <summary>
/// SM3withSM2 (GB/T 32918.2) on our own sm2p256v1 arithmetic, byte-compatible with BouncyCastle's
/// <c>SM2Signer</c>: e = SM3(Z‖M), DER <c>SEQUENCE{r,s}</c>. What a key needs beyond its bytes (Z, the
/// signing inverse (1+d)⁻¹, the verification tables) is computed once per key object and cached.
/// </summary>
internal static class Sm2Fast
{
    private static readonly ConditionalWeakTable<ECPrivateKeyParameters, SigningKey> s_signingKeys = [];
    private static readonly ConditionalWeakTable<ECPublicKeyParameters, VerifyingKey> s_verifyingKeys = [];

    private static readonly byte[] s_defaultUserId = Encoding.ASCII.GetBytes(Sm2.DefaultUserId);

    /// <summary>a, b, xG, yG as Z hashes them (32 big-endian bytes each).</summary>
    private static readonly byte[] s_curveForZ = Convert.FromHexString(
        "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC" +
        "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93" +
        "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7" +
        "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0");

    /// <summary>d·G as 32-byte big-endian x and y.</summary>
    public static (byte[] X, byte[] Y) PublicKeyOf(ECPrivateKeyParameters key)
    {
        var state = s_signingKeys.GetValue(key, static k => new SigningKey(ToU256(k.D)));
        return (state.PublicX, state.PublicY);
    }

    public static byte[] Sign(ECPrivateKeyParameters key, ReadOnlySpan<byte> data, SecureRandom random)
    {
        var state = s_signingKeys.GetValue(key, static k => new SigningKey(ToU256(k.D)));
        Span<byte> e = stackalloc byte[32];
        ComputeE(state.Z, data, e);
        Span<byte> kBytes = stackalloc byte[32];
        while (true)
        {
            // k uniform in [1, n − 1] by rejection; a rejected candidate tells nothing about the used one.
            random.NextBytes(kBytes);
            var k = U256.FromBigEndian(kBytes);
            if ((Sm2Scalar.LessThanN(k) & (1 ^ Limb.IsZero(k))) == 0)
            {
                continue;
            }

            if (TrySign(state, e, k, out var r, out var s))
            {
                kBytes.Clear();
                return EncodeDer(r, s);
            }
        }
    }

    /// <summary>
    /// The signature with a given nonce k and user ID, or null when k must be rejected (r = 0, r + k = n
    /// or s = 0): the seam for the standard's worked examples. d and k are 32 big-endian bytes.
    /// </summary>
    internal static byte[]? SignWithNonce(ReadOnlySpan<byte> d, ReadOnlySpan<byte> k, ReadOnlySpan<byte> userId, ReadOnlySpan<byte> data)
    {
        var state = new SigningKey(U256.FromBigEndian(d), userId);
        Span<byte> e = stackalloc byte[32];
        ComputeE(state.Z, data, e);
        var nonce = U256.FromBigEndian(k);
        if (nonce.IsZero || Sm2Scalar.LessThanN(nonce) == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(k), "k must be in [1, n − 1].");
        }

        return TrySign(state, e, nonce, out var r, out var s) ? EncodeDer(r, s) : null;
    }

    /// <summary>
    /// GB/T 32918.2 §6.1 steps A4–A6 for one nonce, constant time up to the final accept/reject (which
    /// only happens for a negligible fraction of nonces and reveals just that this k was dropped).
    /// </summary>
    private static bool TrySign(SigningKey key, ReadOnlySpan<byte> e, in U256 k, out U256 r, out U256 s)
    {
        // (x1, y1) = k·G
        Sm2Multiply.MulBase(k, out var kg);
        Sm2Point.AffineX(kg, out var x1Mont);
        Sm2Field.FromMont(x1Mont, out var x1);

        // r = (e + x1) mod n; x1 < p < 2n and e < 2^256 < 2n, so one reduction each.
        Sm2Scalar.Reduce(U256.FromBigEndian(e), out var eModN);
        Sm2Scalar.Reduce(x1, out var x1ModN);
        Sm2Scalar.Add(eModN, x1ModN, out r);

        // s = (1 + d)⁻¹·(k − r·d) mod n; d and the inverse are kept in Montgomery form, so each product
        // with a plain number comes out plain.
        Sm2Scalar.Mul(r, key.DMont, out var rd);
        Sm2Scalar.Sub(k, rd, out var kMinusRd);
        Sm2Scalar.Mul(kMinusRd, key.InverseOnePlusDMont, out s);

        Sm2Scalar.Add(r, k, out var rPlusK);
        var reject = Limb.IsZero(r) | Limb.IsZero(rPlusK) | Limb.IsZero(s);
        return reject == 0;
    }

    /// <summary>
    /// True when the DER signature is valid; false for any malformed bytes. GB/T 32918.2 §7.1: r, s in
    /// [1, n − 1], t = (r + s) mod n ≠ 0, (x1, y1) = s·G + t·P, (e + x1) mod n = r.
    /// </summary>
    public static bool Verify(ECPublicKeyParameters key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (!TryDecodeDer(signature, out var r, out var s))
        {
            return false;
        }

        if (r.IsZero || s.IsZero || Sm2Scalar.LessThanN(r) == 0 || Sm2Scalar.LessThanN(s) == 0)
        {
            return false;
        }

        Sm2Scalar.Add(r, s, out var t);
        if (t.IsZero)
        {
            return false;
        }

        var state = s_verifyingKeys.GetValue(key, static k => VerifyingKey.Of(k));
        Span<byte> eBytes = stackalloc byte[32];
        ComputeE(state.Z, data, eBytes);
        Sm2Scalar.Reduce(U256.FromBigEndian(eBytes), out var e);

        Sm2Multiply.MulAddVar(s, t, state.Tables, out var sum);
        if (sum.IsInfinity)
        {
            return false;
        }

        // (e + x1) mod n = r ⇔ x1 ≡ r − e (mod n) ⇔ x1 ∈ {c, c + n} with c = (r − e) mod n (c + n only while
        // below p). With x1 = X/Z², compare X with c·Z² instead of inverting Z.
        Sm2Scalar.Sub(r, e, out var c);
        Sm2Field.Sqr(sum.Z, out var z2);
        if (MatchesX(c, z2, sum.X))
        {
            return true;
        }

        ulong carry = 0;
        var c0 = Limb.Add(c.L0, Sm2Scalar.N.L0, ref carry);
        var c1 = Limb.Add(c.L1, Sm2Scalar.N.L1, ref carry);
        var c2 = Limb.Add(c.L2, Sm2Scalar.N.L2, ref carry);
        var c3 = Limb.Add(c.L3, Sm2Scalar.N.L3, ref carry);
        var cPlusN = new U256(c0, c1, c2, c3);
        return carry == 0 && Sm2Field.IsReduced(cPlusN) && MatchesX(cPlusN, z2, sum.X);
    }

    private static bool MatchesX(in U256 candidate, in U256 z2, in U256 x)
    {
        Sm2Field.ToMont(candidate, out var cMont);
        Sm2Field.Mul(cMont, z2, out var cz2);
        return cz2.Equals(x);
    }

    /// <summary>e = SM3(Z‖M).</summary>
    private static void ComputeE(byte[] z, ReadOnlySpan<byte> data, Span<byte> e)
    {
        var hasher = Sm3Hasher.Create();
        hasher.Append(z);
        hasher.Append(data);
        hasher.Finish(e);
    }

    /// <summary>Z = SM3(ENTL‖ID‖a‖b‖xG‖yG‖xA‖yA), ENTL the ID's length in bits, two bytes big-endian.</summary>
    internal static byte[] ComputeZ(ReadOnlySpan<byte> userId, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        if (userId.Length > 8191)
        {
            throw new ArgumentException("An SM2 user ID is at most 8191 bytes.", nameof(userId));
        }

        var bits = userId.Length * 8;
        var hasher = Sm3Hasher.Create();
        hasher.Append([(byte)(bits >> 8), (byte)bits]);
        hasher.Append(userId);
        hasher.Append(s_curveForZ);
        hasher.Append(x);
        hasher.Append(y);
        var z = new byte[32];
        hasher.Finish(z);
        return z;
    }

    private static U256 ToU256(Org.BouncyCastle.Math.BigInteger value)
    {
        var bytes = value.ToByteArrayUnsigned();
        if (value.SignValue < 0 || bytes.Length > 32)
        {
            throw new ArgumentException("An SM2 scalar is at most 256 bits.", nameof(value));
        }

        Span<byte> padded = stackalloc byte[32];
        padded.Clear();
        bytes.CopyTo(padded[(32 - bytes.Length)..]);
        return U256.FromBigEndian(padded);
    }

    /// <summary>DER <c>SEQUENCE{INTEGER r, INTEGER s}</c>, minimal encodings (r and s are public).</summary>
    internal static byte[] EncodeDer(in U256 r, in U256 s)
    {
        Span<byte> rBytes = stackalloc byte[32];
        Span<byte> sBytes = stackalloc byte[32];
        r.WriteBigEndian(rBytes);
        s.WriteBigEndian(sBytes);
        var rContent = IntegerContent(rBytes);
        var sContent = IntegerContent(sBytes);
        var rLength = rContent.Length + (rContent[0] >= 0x80 ? 1 : 0);
        var sLength = sContent.Length + (sContent[0] >= 0x80 ? 1 : 0);
        var der = new byte[2 + 2 + rLength + 2 + sLength];
        der[0] = 0x30;
        der[1] = (byte)(der.Length - 2);
        var at = 2;
        at = WriteInteger(der, at, rContent, rLength);
        _ = WriteInteger(der, at, sContent, sLength);
        return der;
    }

    /// <summary>The big-endian bytes without leading zeros (one zero byte for 0).</summary>
    private static ReadOnlySpan<byte> IntegerContent(ReadOnlySpan<byte> bytes)
    {
        var start = 0;
        while (start < bytes.Length - 1 && bytes[start] == 0)
        {
            start++;
        }

        return bytes[start..];
    }

    private static int WriteInteger(byte[] der, int at, ReadOnlySpan<byte> content, int length)
    {
        der[at] = 0x02;
        der[at + 1] = (byte)length;
        at += 2;
        if (length > content.Length)
        {
            der[at++] = 0x00; // keeps a high first bit from reading as negative
        }

        content.CopyTo(der.AsSpan(at));
        return at + content.Length;
    }

    /// <summary>
    /// Strict DER of two non-negative INTEGERs of at most 256 bits, nothing more, nothing less (what
    /// BouncyCastle accepts: it re-encodes and compares).
    /// </summary>
    internal static bool TryDecodeDer(ReadOnlySpan<byte> der, out U256 r, out U256 s)
    {
        r = default;
        s = default;
        if (der.Length < 2 || der[0] != 0x30 || der[1] >= 0x80 || der[1] != der.Length - 2)
        {
            return false;
        }

        var rest = der[2..];
        return TryReadInteger(ref rest, out r) && TryReadInteger(ref rest, out s) && rest.IsEmpty;
    }

    private static bool TryReadInteger(ref ReadOnlySpan<byte> der, out U256 value)
    {
        value = default;
        if (der.Length < 3 || der[0] != 0x02)
        {
            return false;
        }

        int length = der[1];
        if (length == 0 || length > 33 || der.Length < 2 + length)
        {
            return false;
        }

        var content = der.Slice(2, length);
        if ((content[0] & 0x80) != 0)
        {
            return false; // negative
        }

        if (content.Length > 1 && content[0] == 0 && (content[1] & 0x80) == 0)
        {
            return false; // not minimal
        }

        if (content.Length == 33)
        {
            if (content[0] != 0)
            {
                return false; // 257 bits or more
            }

            content = content[1..]; // the sign byte before a high first bit
        }

        Span<byte> padded = stackalloc byte[32];
        padded.Clear();
        content.CopyTo(padded[(32 - content.Length)..]);
        value = U256.FromBigEndian(padded);
        der = der[(2 + length)..];
        return true;
    }

    /// <summary>A private key as signing needs it. d must be in [1, n − 2] so that 1 + d is invertible.</summary>
    private sealed class SigningKey
    {
        public SigningKey(in U256 d)
            : this(d, s_defaultUserId)
        {
        }

        public SigningKey(in U256 d, ReadOnlySpan<byte> userId)
        {
            Sm2Scalar.Add(d, new U256(1, 0, 0, 0), out var onePlusD);
            if (d.IsZero || Sm2Scalar.LessThanN(d) == 0 || onePlusD.IsZero)
            {
                throw new ArgumentException("An SM2 private key must be in [1, n − 2].", nameof(d));
            }

            Sm2Scalar.ToMont(d, out DMont);
            Sm2Scalar.ToMont(onePlusD, out var onePlusDMont);
            Sm2Scalar.InvertMont(onePlusDMont, out InverseOnePlusDMont);

            Sm2Multiply.MulBase(d, out var q);
            Sm2Point.ToAffine(q, out var qAffine);
            Sm2Field.FromMont(qAffine.X, out var x);
            Sm2Field.FromMont(qAffine.Y, out var y);
            PublicX = x.ToBigEndian();
            PublicY = y.ToBigEndian();
            Z = ComputeZ(userId, PublicX, PublicY);
        }

        /// <summary>d·2^256 mod n.</summary>
        public readonly U256 DMont;

        /// <summary>(1 + d)⁻¹·2^256 mod n.</summary>
        public readonly U256 InverseOnePlusDMont;

        public byte[] PublicX { get; }

        public byte[] PublicY { get; }

        public byte[] Z { get; }
    }

    /// <summary>A public key as verification needs it: Z with the default ID and the wNAF tables of P.</summary>
    private sealed class VerifyingKey(byte[] z, AffinePoint[][] tables)
    {
        /// <summary>Keys kept by value, so a fresh copy of a known key (a certificate parsed again) is warm.</summary>
        private static readonly ConcurrentDictionary<string, VerifyingKey> s_byValue = new(StringComparer.Ordinal);

        /// <summary>Past this many distinct keys the by-value cache starts over (each entry is ≈ 4.5 KB).</summary>
        private const int ByValueLimit = 4096;

        public byte[] Z { get; } = z;

        /// <summary>Odd multiples of 2^(64j)·P, j = 0..3.</summary>
        public AffinePoint[][] Tables { get; } = tables;

        public static VerifyingKey Of(ECPublicKeyParameters key)
        {
            var q = key.Q.Normalize();
            var xBytes = q.AffineXCoord.GetEncoded();
            var yBytes = q.AffineYCoord.GetEncoded();
            var id = Convert.ToHexString(xBytes) + Convert.ToHexString(yBytes);
            if (s_byValue.TryGetValue(id, out var known))
            {
                return known;
            }

            var made = Make(xBytes, yBytes);
            if (s_byValue.Count >= ByValueLimit)
            {
                s_byValue.Clear();
            }

            s_byValue[id] = made;
            return made;
        }

        private static VerifyingKey Make(byte[] xBytes, byte[] yBytes)
        {
            var x = U256.FromBigEndian(xBytes);
            var y = U256.FromBigEndian(yBytes);
            if (!Sm2Field.IsReduced(x) || !Sm2Field.IsReduced(y))
            {
                throw new ArgumentException("The SM2 public key's coordinates are out of range.", nameof(xBytes));
            }

            var p = default(AffinePoint);
            Sm2Field.ToMont(x, out p.X);
            Sm2Field.ToMont(y, out p.Y);
            if (!Sm2Point.IsOnCurve(p))
            {
                throw new ArgumentException("The SM2 public key is not on sm2p256v1.", nameof(xBytes));
            }

            return new VerifyingKey(ComputeZ(s_defaultUserId, xBytes, yBytes), Sm2Multiply.PartTables(p, Sm2Multiply.KeyWnafWidth));
        }
    }
}
