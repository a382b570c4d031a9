using System.Runtime.CompilerServices;

namespace OpenTreasury.Trust.Crypto.Sm2Curve;

/// <summary>
/// The field of sm2p256v1, p = 2^256 − 2^224 − 2^96 + 2^64 − 1, in Montgomery form (x·2^256 mod p).
/// Every operation is constant time: no branch or memory index depends on a value.
/// </summary>
/// <remarks>
/// p ≡ −1 mod 2^64, so −p⁻¹ mod 2^64 = 1: each reduction step's quotient word is just the low word.
/// </remarks>
internal static class Sm2Field
{
    public static readonly U256 P = U256.FromHex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF");

    /// <summary>−p⁻¹ mod 2^64.</summary>
    private const ulong PInv = 1;

    private static readonly U256 s_r2 = Montgomery.RSquared(P);

    /// <summary>1 in Montgomery form.</summary>
    public static readonly U256 One = Montgomery.ROne(P);

    // The operations are calls on purpose: inlined into the point formulas they exhaust the JIT's
    // inlining budget, and the word helpers inside them then become calls (several times slower).
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Mul(in U256 a, in U256 b, out U256 r) => Montgomery.Mul(a, b, P, PInv, out r, negOneModWord: true);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Sqr(in U256 a, out U256 r) => Montgomery.Mul(a, a, P, PInv, out r, negOneModWord: true);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Add(in U256 a, in U256 b, out U256 r) => Montgomery.Add(a, b, P, out r);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Sub(in U256 a, in U256 b, out U256 r) => Montgomery.Sub(a, b, P, out r);

    /// <summary>−a mod p (0 stays 0).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Neg(in U256 a, out U256 r) => Montgomery.Sub(default, a, P, out r);

    /// <summary>Into Montgomery form; a must be below p.</summary>
    public static void ToMont(in U256 a, out U256 r) => Mul(a, s_r2, out r);

    /// <summary>Out of Montgomery form.</summary>
    public static void FromMont(in U256 a, out U256 r) => Mul(a, new U256(1, 0, 0, 0), out r);

    /// <summary>a⁻¹ = a^(p−2) (0 for 0), constant time: a fixed chain of 256 squarings and 15 products.</summary>
    /// <remarks>
    /// From the top bit, p − 2 is 31 ones, a zero, 128 ones, 32 zeros, 62 ones, a zero and a one. With
    /// x_k = a^(2^k − 1) (k ones), the result is built left to right by squaring (shifting in zeros) and
    /// multiplying by x31 or x32 (filling in runs of ones).
    /// </remarks>
    public static void Invert(in U256 a, out U256 r)
    {
        Sqr(a, out var x2);
        Mul(x2, a, out x2);                 // 2 ones
        Sqr(x2, out var x3);
        Mul(x3, a, out x3);                 // 3
        SqrTimes(x3, 3, out var x6);
        Mul(x6, x3, out x6);                // 6
        Sqr(x6, out var x7);
        Mul(x7, a, out x7);                 // 7
        SqrTimes(x7, 7, out var x14);
        Mul(x14, x7, out x14);              // 14
        SqrTimes(x14, 14, out var x28);
        Mul(x28, x14, out x28);             // 28
        SqrTimes(x28, 3, out var x31);
        Mul(x31, x3, out x31);              // 31
        Sqr(x31, out var x32);
        Mul(x32, a, out x32);               // 32

        Sqr(x31, out var acc);              // 31 ones, then a zero
        for (var i = 0; i < 4; i++)
        {
            SqrTimes(acc, 32, out acc);     // then 128 ones, 32 at a time
            Mul(acc, x32, out acc);
        }

        SqrTimes(acc, 32, out acc);         // 32 zeros
        SqrTimes(acc, 31, out acc);         // 62 ones, 31 at a time
        Mul(acc, x31, out acc);
        SqrTimes(acc, 31, out acc);
        Mul(acc, x31, out acc);
        SqrTimes(acc, 2, out acc);          // a zero and a one
        Mul(acc, a, out r);
    }

    private static void SqrTimes(in U256 a, int times, out U256 r)
    {
        r = a;
        for (var i = 0; i < times; i++)
        {
            Sqr(r, out r);
        }
    }

    /// <summary>1 when a is below p, for checking input coordinates.</summary>
    public static bool IsReduced(in U256 a) => Montgomery.LessThan(a, P) == 1;
}

/// <summary>
/// Integers modulo the group order n of sm2p256v1, Montgomery form where marked. Constant time: the
/// signing equation runs on the private key and the nonce.
/// </summary>
internal static class Sm2Scalar
{
    public static readonly U256 N = U256.FromHex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123");

    private static readonly ulong s_nInv = Montgomery.NegInverse64(N.L0);

    private static readonly U256 s_r2 = Montgomery.RSquared(N);

    private static readonly U256 s_nMinus2 = U256.FromBigInteger(N.ToBigInteger() - 2);

    private static readonly U256 s_one = Montgomery.ROne(N);

    /// <summary>Montgomery product a·b·2^−256 mod n: with one factor in Montgomery form, a plain product.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Mul(in U256 a, in U256 b, out U256 r) => Montgomery.Mul(a, b, N, s_nInv, out r);

    public static void Add(in U256 a, in U256 b, out U256 r) => Montgomery.Add(a, b, N, out r);

    public static void Sub(in U256 a, in U256 b, out U256 r) => Montgomery.Sub(a, b, N, out r);

    /// <summary>a mod n for any 256-bit a (2n > 2^256, so one subtraction is enough).</summary>
    public static void Reduce(in U256 a, out U256 r) => Montgomery.ReduceOnce(a, N, out r);

    public static void ToMont(in U256 a, out U256 r) => Mul(a, s_r2, out r);

    /// <summary>a⁻¹·2^256 mod n for a in Montgomery form (0 for 0), constant time.</summary>
    public static void InvertMont(in U256 a, out U256 r) => Montgomery.Pow(a, s_nMinus2, N, s_nInv, s_one, out r);

    /// <summary>1 when a is below n (constant time).</summary>
    public static ulong LessThanN(in U256 a) => Montgomery.LessThan(a, N);
}
