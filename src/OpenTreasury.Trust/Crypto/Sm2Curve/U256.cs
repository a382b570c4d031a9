using System.Numerics;
using System.Runtime.CompilerServices;

namespace OpenTreasury.Trust.Crypto.Sm2Curve;

/// <summary>A 256-bit number as four 64-bit limbs, least significant first.</summary>
/// <remarks>Four fields of one type, so the JIT can keep a value in registers (struct promotion).</remarks>
internal struct U256
{
    public ulong L0;
    public ulong L1;
    public ulong L2;
    public ulong L3;

    public U256(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        L0 = l0;
        L1 = l1;
        L2 = l2;
        L3 = l3;
    }

    /// <summary>Reads 32 big-endian bytes.</summary>
    public static U256 FromBigEndian(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 32)
        {
            throw new ArgumentException("32 bytes are required.", nameof(bytes));
        }

        return new U256(
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes));
    }

    /// <summary>Writes 32 big-endian bytes.</summary>
    public readonly void WriteBigEndian(Span<byte> destination)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(destination, L3);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(destination[8..], L2);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(destination[16..], L1);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(destination[24..], L0);
    }

    public readonly byte[] ToBigEndian()
    {
        var bytes = new byte[32];
        WriteBigEndian(bytes);
        return bytes;
    }

    /// <summary>A non-negative value below 2^256 (constants and tests only: not constant time).</summary>
    public static U256 FromBigInteger(BigInteger value)
    {
        if (value.Sign < 0 || value.GetBitLength() > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(value));
        }

        Span<byte> bytes = stackalloc byte[32];
        bytes.Clear();
        var written = value.GetByteCount(isUnsigned: true);
        _ = value.TryWriteBytes(bytes[(32 - written)..], out _, isUnsigned: true, isBigEndian: true);
        return FromBigEndian(bytes);
    }

    public readonly BigInteger ToBigInteger()
    {
        Span<byte> bytes = stackalloc byte[32];
        WriteBigEndian(bytes);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    public static U256 FromHex(string hex) => FromBigEndian(Convert.FromHexString(hex));

    /// <summary>Bit <paramref name="index"/> (0 = least significant); the index is public.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ulong Bit(int index) => (Limb(index >> 6) >> (index & 63)) & 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ulong Limb(int i) => i switch
    {
        0 => L0,
        1 => L1,
        2 => L2,
        3 => L3,
        _ => 0,
    };

    /// <summary>True when every limb is zero (variable time: for public values only).</summary>
    public readonly bool IsZero => (L0 | L1 | L2 | L3) == 0;

    /// <summary>Equality of public values (variable time).</summary>
    public readonly bool Equals(in U256 other) =>
        L0 == other.L0 && L1 == other.L1 && L2 == other.L2 && L3 == other.L3;
}

/// <summary>
/// Word arithmetic without branches: carries and borrows come out of bit formulas, not comparisons, so
/// no value decides which instructions run. Wraparound is intended everywhere here.
/// </summary>
internal static class Limb
{
    /// <summary>a + b + carry (carry is 0 or 1); carry receives the carry out.</summary>
    /// <remarks>
    /// A comparison used as a value compiles to <c>cmp</c> + <c>setb</c> (RyuJIT materialises relops
    /// with <c>setcc</c>; checked in the x64 disassembly, no conditional jump), so it is branch-free.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Add(ulong a, ulong b, ref ulong carry)
    {
        unchecked
        {
            var sum = a + b;
            var c1 = sum < a ? 1UL : 0UL;
            sum += carry;
            carry = c1 | (sum < carry ? 1UL : 0UL);
            return sum;
        }
    }

    /// <summary>a − b − borrow (borrow is 0 or 1); borrow receives the borrow out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Sub(ulong a, ulong b, ref ulong borrow)
    {
        unchecked
        {
            var diff = a - b;
            var b1 = a < b ? 1UL : 0UL;
            var result = diff - borrow;
            borrow = b1 | (diff < borrow ? 1UL : 0UL);
            return result;
        }
    }

    /// <summary>Low word of a·b + c + carry; carry receives the high word (the sum fits in 128 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MulAdd(ulong a, ulong b, ulong c, ref ulong carry)
    {
        unchecked
        {
            // mulx for the high word and imul for the low one: Math.BigMul's out parameter would go
            // through the stack on every product.
            ulong hi, lo;
            if (System.Runtime.Intrinsics.X86.Bmi2.X64.IsSupported)
            {
                hi = System.Runtime.Intrinsics.X86.Bmi2.X64.MultiplyNoFlags(a, b);
                lo = a * b;
            }
            else
            {
                hi = Math.BigMul(a, b, out lo);
            }

            lo += c;
            hi += lo < c ? 1UL : 0UL;
            lo += carry;
            hi += lo < carry ? 1UL : 0UL;
            carry = hi;
            return lo;
        }
    }

    /// <summary>All ones when bit is 1, zero when it is 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mask(ulong bit) => unchecked(0UL - bit);

    /// <summary>1 when x is zero, else 0, without a branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong IsZero(ulong x) => unchecked(1 ^ ((x | (0UL - x)) >> 63));

    /// <summary>mask ? a : b, limb by limb (mask is all ones or zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Select(ulong mask, in U256 a, in U256 b, out U256 r) =>
        r = new U256(
            (a.L0 & mask) | (b.L0 & ~mask),
            (a.L1 & mask) | (b.L1 & ~mask),
            (a.L2 & mask) | (b.L2 & ~mask),
            (a.L3 & mask) | (b.L3 & ~mask));

    /// <summary>1 when a is zero (constant time).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong IsZero(in U256 a) => IsZero(a.L0 | a.L1 | a.L2 | a.L3);
}

/// <summary>
/// Montgomery arithmetic modulo an odd 256-bit m with R = 2^256: MontMul(a, b) = a·b·R⁻¹ mod m, by
/// word-serial interleaved reduction (CIOS). Inputs below m give an output below m.
/// </summary>
internal static class Montgomery
{
    /// <remarks>
    /// <paramref name="negOneModWord"/> says m ≡ −1 mod 2^64 (so mInv = 1), as for SM2's p: then
    /// q·m0 + t0 = q·2^64 exactly and the first product of each reduction step is skipped. It is a
    /// constant at every call site, so the JIT drops the other branch.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Mul(in U256 a, in U256 b, in U256 m, ulong mInv, out U256 r, bool negOneModWord = false)
    {
        ulong t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
        Step(b.L0, a, m, mInv, negOneModWord, ref t0, ref t1, ref t2, ref t3, ref t4);
        Step(b.L1, a, m, mInv, negOneModWord, ref t0, ref t1, ref t2, ref t3, ref t4);
        Step(b.L2, a, m, mInv, negOneModWord, ref t0, ref t1, ref t2, ref t3, ref t4);
        Step(b.L3, a, m, mInv, negOneModWord, ref t0, ref t1, ref t2, ref t3, ref t4);

        // t < 2m here: subtract m once unless that borrows out of the five words.
        ulong borrow = 0;
        var s0 = Limb.Sub(t0, m.L0, ref borrow);
        var s1 = Limb.Sub(t1, m.L1, ref borrow);
        var s2 = Limb.Sub(t2, m.L2, ref borrow);
        var s3 = Limb.Sub(t3, m.L3, ref borrow);
        _ = Limb.Sub(t4, 0, ref borrow);
        var keep = Limb.Mask(borrow);
        r = new U256(
            (t0 & keep) | (s0 & ~keep),
            (t1 & keep) | (s1 & ~keep),
            (t2 & keep) | (s2 & ~keep),
            (t3 & keep) | (s3 & ~keep));
    }

    /// <summary>
    /// t = (t + a·bi + q·m) / 2^64 with q = −t0·m⁻¹ mod 2^64 chosen so the low word cancels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(ulong bi, in U256 a, in U256 m, ulong mInv, bool negOneModWord,
        ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3, ref ulong t4)
    {
        unchecked
        {
            ulong c = 0;
            t0 = Limb.MulAdd(a.L0, bi, t0, ref c);
            t1 = Limb.MulAdd(a.L1, bi, t1, ref c);
            t2 = Limb.MulAdd(a.L2, bi, t2, ref c);
            t3 = Limb.MulAdd(a.L3, bi, t3, ref c);
            ulong k = 0;
            t4 = Limb.Add(t4, c, ref k);
            var t5 = k;

            var q = t0 * mInv;
            if (negOneModWord)
            {
                c = t0; // q·(2^64 − 1) + t0 = q·2^64 for q = t0
            }
            else
            {
                c = 0;
                _ = Limb.MulAdd(q, m.L0, t0, ref c);
            }

            t0 = Limb.MulAdd(q, m.L1, t1, ref c);
            t1 = Limb.MulAdd(q, m.L2, t2, ref c);
            t2 = Limb.MulAdd(q, m.L3, t3, ref c);
            k = 0;
            t3 = Limb.Add(t4, c, ref k);
            t4 = t5 + k;
        }
    }

    /// <summary>(a + b) mod m for a, b below m (constant time).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(in U256 a, in U256 b, in U256 m, out U256 r)
    {
        ulong carry = 0;
        var s0 = Limb.Add(a.L0, b.L0, ref carry);
        var s1 = Limb.Add(a.L1, b.L1, ref carry);
        var s2 = Limb.Add(a.L2, b.L2, ref carry);
        var s3 = Limb.Add(a.L3, b.L3, ref carry);
        ulong borrow = 0;
        var d0 = Limb.Sub(s0, m.L0, ref borrow);
        var d1 = Limb.Sub(s1, m.L1, ref borrow);
        var d2 = Limb.Sub(s2, m.L2, ref borrow);
        var d3 = Limb.Sub(s3, m.L3, ref borrow);
        _ = Limb.Sub(carry, 0, ref borrow);
        var keep = Limb.Mask(borrow);
        r = new U256(
            (s0 & keep) | (d0 & ~keep),
            (s1 & keep) | (d1 & ~keep),
            (s2 & keep) | (d2 & ~keep),
            (s3 & keep) | (d3 & ~keep));
    }

    /// <summary>(a − b) mod m for a, b below m (constant time).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sub(in U256 a, in U256 b, in U256 m, out U256 r)
    {
        ulong borrow = 0;
        var d0 = Limb.Sub(a.L0, b.L0, ref borrow);
        var d1 = Limb.Sub(a.L1, b.L1, ref borrow);
        var d2 = Limb.Sub(a.L2, b.L2, ref borrow);
        var d3 = Limb.Sub(a.L3, b.L3, ref borrow);
        var add = Limb.Mask(borrow);
        ulong carry = 0;
        var r0 = Limb.Add(d0, m.L0 & add, ref carry);
        var r1 = Limb.Add(d1, m.L1 & add, ref carry);
        var r2 = Limb.Add(d2, m.L2 & add, ref carry);
        var r3 = Limb.Add(d3, m.L3 & add, ref carry);
        r = new U256(r0, r1, r2, r3);
    }

    /// <summary>a mod m for any a below 2^256 when 2m > 2^256: one conditional subtraction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ReduceOnce(in U256 a, in U256 m, out U256 r)
    {
        ulong borrow = 0;
        var d0 = Limb.Sub(a.L0, m.L0, ref borrow);
        var d1 = Limb.Sub(a.L1, m.L1, ref borrow);
        var d2 = Limb.Sub(a.L2, m.L2, ref borrow);
        var d3 = Limb.Sub(a.L3, m.L3, ref borrow);
        Limb.Select(Limb.Mask(borrow), a, new U256(d0, d1, d2, d3), out r);
    }

    /// <summary>1 when a &lt; m (constant time).</summary>
    public static ulong LessThan(in U256 a, in U256 m)
    {
        ulong borrow = 0;
        _ = Limb.Sub(a.L0, m.L0, ref borrow);
        _ = Limb.Sub(a.L1, m.L1, ref borrow);
        _ = Limb.Sub(a.L2, m.L2, ref borrow);
        _ = Limb.Sub(a.L3, m.L3, ref borrow);
        return borrow;
    }

    /// <summary>
    /// a^e in Montgomery form (a and one = R mod m in Montgomery form), with a fixed 4-bit window: the
    /// same squarings and multiplications whatever a is; the table index comes from the public exponent.
    /// </summary>
    public static void Pow(in U256 a, in U256 e, in U256 m, ulong mInv, in U256 one, out U256 r)
    {
        Span<U256> table = stackalloc U256[16];
        table[0] = one;
        table[1] = a;
        for (var i = 2; i < 16; i++)
        {
            Mul(table[i - 1], a, m, mInv, out table[i]);
        }

        var acc = one;
        for (var nibble = 63; nibble >= 0; nibble--)
        {
            Mul(acc, acc, m, mInv, out acc);
            Mul(acc, acc, m, mInv, out acc);
            Mul(acc, acc, m, mInv, out acc);
            Mul(acc, acc, m, mInv, out acc);
            var index = (int)((e.Limb(nibble >> 4) >> ((nibble & 15) * 4)) & 15);
            Mul(acc, table[index], m, mInv, out acc);
        }

        r = acc;
    }

    /// <summary>−m⁻¹ mod 2^64 for odd m0, by Newton's iteration (each step doubles the correct bits).</summary>
    public static ulong NegInverse64(ulong m0)
    {
        unchecked
        {
            var x = m0; // correct to 3 bits: m0·m0 ≡ 1 mod 8 for odd m0
            for (var i = 0; i < 5; i++)
            {
                x *= 2 - (m0 * x);
            }

            return 0 - x;
        }
    }

    /// <summary>R² mod m, to bring numbers into Montgomery form with one MontMul.</summary>
    public static U256 RSquared(in U256 m) => U256.FromBigInteger(BigInteger.Pow(2, 512) % m.ToBigInteger());

    /// <summary>R mod m: 1 in Montgomery form.</summary>
    public static U256 ROne(in U256 m) => U256.FromBigInteger(BigInteger.Pow(2, 256) % m.ToBigInteger());
}
