using System.Runtime.CompilerServices;

namespace OpenTreasury.Trust.Crypto.Sm2Curve;

/// <summary>
/// Scalar multiplication on sm2p256v1: k·G in constant time for signing (a fixed-base table of signed
/// 6-bit windows, read with masks), and s·G + t·P in variable time for verification (interleaved wNAF
/// over four 64-bit parts of each scalar).
/// </summary>
internal static class Sm2Multiply
{
    /// <summary>Bits per window of the fixed-base table.</summary>
    public const int CombWindowBits = 6;

    /// <summary>Windows of a 256-bit scalar: 43 × 6 = 258 bits leave room for the recoding's last carry.</summary>
    public const int CombWindows = 43;

    /// <summary>Entries per window: the multiples 1..32 (signed digits reach ±32; the sign is applied after).</summary>
    private const int CombEntries = 1 << (CombWindowBits - 1);

    /// <summary>wNAF width for G's tables (built once): odd multiples up to 127.</summary>
    public const int BaseWnafWidth = 8;

    /// <summary>wNAF width for a public key's tables (built once per key): odd multiples up to 31.</summary>
    public const int KeyWnafWidth = 6;

    /// <summary>Verification splits each scalar into this many parts of <see cref="PartBits"/> bits.</summary>
    public const int Parts = 4;

    public const int PartBits = 64;

    /// <summary>
    /// Window i holds j·2^(6i)·G for j = 1..32, affine: k·G is then the sum of one entry per window,
    /// 43 mixed additions and no doubling. 43 × 32 × 64 bytes = 88 KB, built at first use (≈ 1 ms).
    /// </summary>
    private static readonly AffinePoint[] s_comb = BuildComb();

    /// <summary>Odd multiples of G, 2^64·G, 2^128·G and 2^192·G (4 × 64 affine points, 16 KB).</summary>
    private static readonly AffinePoint[][] s_gTables = PartTables(Sm2Point.G, BaseWnafWidth);

    /// <summary>
    /// For each part j, the odd multiples 1, 3, …, 2^(w−1) − 1 of 2^(64j)·p: what <see cref="MulAddVar"/>
    /// needs of a point (public; variable time).
    /// </summary>
    public static AffinePoint[][] PartTables(in AffinePoint p, int width)
    {
        var tables = new AffinePoint[Parts][];
        var basePoint = p;
        for (var part = 0; part < Parts; part++)
        {
            if (part > 0)
            {
                basePoint = Sm2Point.DoubleTimes(basePoint, PartBits);
            }

            tables[part] = Sm2Point.OddMultiples(basePoint, 1 << (width - 2));
        }

        return tables;
    }

    private static AffinePoint[] BuildComb()
    {
        var table = new AffinePoint[CombWindows * CombEntries];
        var window = new JacobianPoint[CombEntries];
        var affine = new AffinePoint[CombEntries];
        var b = Sm2Point.G;
        for (var w = 0; w < CombWindows; w++)
        {
            window[0] = JacobianPoint.From(b);
            for (var j = 1; j < CombEntries; j++)
            {
                window[j] = window[j - 1];
                Sm2Point.AddMixedVar(ref window[j], b);
            }

            Sm2Point.BatchToAffine(window, affine);
            affine.CopyTo(table, w * CombEntries);

            // The next window's base is 64·b = 2·(32·b).
            Sm2Point.Double(window[CombEntries - 1], out var next);
            Sm2Point.ToAffine(next, out b);
        }

        return table;
    }

    /// <summary>
    /// k·G for a secret k &lt; n, constant time: the same additions and table reads for every k.
    /// </summary>
    /// <remarks>
    /// k is recoded into 43 digits d_i in [−32, 32] with k = Σ d_i·2^(6i). Each window's entry |d_i| is read
    /// by scanning all 32 entries with masks, negated by mask when d_i &lt; 0, and added with the raw mixed
    /// formula; masks then keep the sum as it was for d_i = 0 and take the entry alone while the sum is
    /// still infinity. The raw formula cannot meet equal points: before window i the partial sum's
    /// absolute value is below 2^(6i) ≤ |d_i·2^(6i)|, and every partial sum is below n in absolute value,
    /// so the sum never equals ± the entry.
    /// </remarks>
    public static void MulBase(in U256 k, out JacobianPoint result)
    {
        Span<int> digits = stackalloc int[CombWindows];
        RecodeSigned(k, digits);

        var acc = default(JacobianPoint);
        var accIsInfinity = ulong.MaxValue;
        for (var w = 0; w < CombWindows; w++)
        {
            Lookup(w, digits[w], out var q, out var digitIsZero);
            Sm2Point.AddMixedRaw(acc, q, out var sum, out _, out _);

            // While acc is infinity the sum is just q (Z = 1).
            Limb.Select(accIsInfinity, q.X, sum.X, out sum.X);
            Limb.Select(accIsInfinity, q.Y, sum.Y, out sum.Y);
            Limb.Select(accIsInfinity, Sm2Field.One, sum.Z, out sum.Z);

            // A zero digit adds nothing.
            Limb.Select(digitIsZero, acc.X, sum.X, out acc.X);
            Limb.Select(digitIsZero, acc.Y, sum.Y, out acc.Y);
            Limb.Select(digitIsZero, acc.Z, sum.Z, out acc.Z);
            accIsInfinity &= digitIsZero;
        }

        result = acc;
    }

    /// <summary>
    /// Signed 6-bit digits: each window's 6 bits plus the carry in; above 32 the digit becomes
    /// value − 64 and carries 1 into the next window. Arithmetic only, no branch on k.
    /// </summary>
    private static void RecodeSigned(in U256 k, Span<int> digits)
    {
        unchecked
        {
            var carry = 0;
            for (var w = 0; w < CombWindows; w++)
            {
                var bit = w * CombWindowBits;
                var value = 0;
                for (var b = 0; b < CombWindowBits; b++)
                {
                    value |= (int)k.Bit(bit + b) << b;
                }

                value += carry;
                carry = (CombEntries - value) >>> 31; // 1 when value > 32
                digits[w] = value - (carry << CombWindowBits);
            }
        }
    }

    /// <summary>Entry |digit| of window w, negated when digit &lt; 0, reading every entry of the window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Lookup(int w, int digit, out AffinePoint q, out ulong digitIsZero)
    {
        unchecked
        {
            var sign = digit >> 31;
            var abs = (digit ^ sign) - sign;
            U256 x = default, y = default;
            var entries = s_comb.AsSpan(w * CombEntries, CombEntries);
            for (var j = 0; j < CombEntries; j++)
            {
                // All ones when j + 1 == abs: (diff − 1) is negative only for diff = 0.
                var mask = Limb.Mask((ulong)(((uint)((j + 1) ^ abs) - 1) >> 31));
                ref readonly var e = ref entries[j];
                x.L0 |= e.X.L0 & mask;
                x.L1 |= e.X.L1 & mask;
                x.L2 |= e.X.L2 & mask;
                x.L3 |= e.X.L3 & mask;
                y.L0 |= e.Y.L0 & mask;
                y.L1 |= e.Y.L1 & mask;
                y.L2 |= e.Y.L2 & mask;
                y.L3 |= e.Y.L3 & mask;
            }

            Sm2Field.Neg(y, out var negY);
            Limb.Select(Limb.Mask((ulong)(uint)sign >> 31), negY, y, out q.Y);
            q.X = x;
            digitIsZero = Limb.Mask(Limb.IsZero((ulong)abs));
        }
    }

    /// <summary>
    /// s·G + t·P for public s, t and a public key's <see cref="PartTables"/> (variable time). Digit i of a
    /// wNAF is taken from part ⌊i/64⌋'s table at position i mod 64, so s = Σ_j s_j·2^(64j) and
    /// t likewise become eight interleaved wNAF sums that share 64 doublings (Straus–Shamir).
    /// </summary>
    public static void MulAddVar(in U256 s, in U256 t, AffinePoint[][] pTables, out JacobianPoint result)
    {
        Span<sbyte> sNaf = stackalloc sbyte[258];
        Span<sbyte> tNaf = stackalloc sbyte[258];
        Wnaf(s, BaseWnafWidth, sNaf);
        Wnaf(t, KeyWnafWidth, tNaf);

        var acc = default(JacobianPoint);
        for (var i = PartBits; i >= 0; i--)
        {
            if (!acc.IsInfinity)
            {
                Sm2Point.Double(acc, out acc);
            }

            // A 256-bit wNAF has up to 257 digits: the last part takes position 256 too (i = 64).
            for (var part = i < PartBits ? 0 : Parts - 1; part < Parts; part++)
            {
                var at = i + (part * PartBits);
                AddDigit(ref acc, sNaf[at], s_gTables[part]);
                AddDigit(ref acc, tNaf[at], pTables[part]);
            }
        }

        result = acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddDigit(ref JacobianPoint acc, sbyte digit, AffinePoint[] odd)
    {
        if (digit > 0)
        {
            Sm2Point.AddMixedVar(ref acc, odd[digit >> 1]);
        }
        else if (digit < 0)
        {
            var q = odd[-digit >> 1];
            Sm2Field.Neg(q.Y, out q.Y);
            Sm2Point.AddMixedVar(ref acc, q);
        }
    }

    /// <summary>
    /// Width-w NAF of a public k: digits odd in (−2^(w−1), 2^(w−1)) or zero, any two nonzero digits at
    /// least w apart, k = Σ naf[i]·2^i; at most 257 digits for k &lt; 2^256.
    /// </summary>
    public static void Wnaf(in U256 k, int w, Span<sbyte> naf)
    {
        naf.Clear();
        Span<ulong> x = [k.L0, k.L1, k.L2, k.L3, 0];
        var window = (1 << w) - 1;
        var half = 1 << (w - 1);
        var i = 0;
        while ((x[0] | x[1] | x[2] | x[3] | x[4]) != 0)
        {
            if ((x[0] & 1) == 0)
            {
                ShiftRight(x, 1);
                i++;
                continue;
            }

            var d = (int)(x[0] & (ulong)window);
            if (d >= half)
            {
                d -= 1 << w;
            }

            naf[i] = (sbyte)d;

            // x −= d leaves the low w bits zero, so the next w − 1 digits are zero: skip them.
            if (d > 0)
            {
                ulong borrow = 0;
                x[0] = Limb.Sub(x[0], (ulong)d, ref borrow);
                for (var j = 1; j < 5; j++)
                {
                    x[j] = Limb.Sub(x[j], 0, ref borrow);
                }
            }
            else
            {
                ulong carry = 0;
                x[0] = Limb.Add(x[0], (ulong)-d, ref carry);
                for (var j = 1; j < 5; j++)
                {
                    x[j] = Limb.Add(x[j], 0, ref carry);
                }
            }

            ShiftRight(x, w);
            i += w;
        }
    }

    private static void ShiftRight(Span<ulong> x, int bits)
    {
        for (var j = 0; j < 4; j++)
        {
            x[j] = (x[j] >> bits) | (x[j + 1] << (64 - bits));
        }

        x[4] >>= bits;
    }
}
