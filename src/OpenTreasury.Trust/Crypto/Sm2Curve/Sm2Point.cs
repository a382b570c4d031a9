using System.Runtime.CompilerServices;

namespace OpenTreasury.Trust.Crypto.Sm2Curve;

/// <summary>An affine point (x, y), both in Montgomery form. Never the point at infinity.</summary>
internal struct AffinePoint
{
    public U256 X;
    public U256 Y;
}

/// <summary>
/// A Jacobian point (X : Y : Z) standing for (X/Z², Y/Z³), coordinates in Montgomery form; Z = 0 is the
/// point at infinity.
/// </summary>
internal struct JacobianPoint
{
    public U256 X;
    public U256 Y;
    public U256 Z;

    public static JacobianPoint From(in AffinePoint a) => new() { X = a.X, Y = a.Y, Z = Sm2Field.One };

    public readonly bool IsInfinity => Z.IsZero;
}

/// <summary>
/// Group law of y² = x³ − 3x + b (SM2's a is p − 3). The formulas are the EFD ones for a = −3:
/// dbl-2001-b (3M + 5S) and madd-2007-bl (7M + 4S). The raw formulas are branch-free; the
/// <c>Var</c> variants add the special cases (infinity, equal points) for public inputs.
/// </summary>
internal static class Sm2Point
{
    /// <summary>b of sm2p256v1, in Montgomery form.</summary>
    public static readonly U256 B = ToMontHex("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93");

    /// <summary>The base point G.</summary>
    public static readonly AffinePoint G = new()
    {
        X = ToMontHex("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"),
        Y = ToMontHex("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"),
    };

    private static U256 ToMontHex(string hex)
    {
        Sm2Field.ToMont(U256.FromHex(hex), out var r);
        return r;
    }

    /// <summary>2·p. Doubling infinity (Z = 0) gives Z = 0 again, so it needs no special case.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Double(in JacobianPoint p, out JacobianPoint r)
    {
        Sm2Field.Sqr(p.Z, out var delta);
        Sm2Field.Sqr(p.Y, out var gamma);
        Sm2Field.Mul(p.X, gamma, out var beta);

        // alpha = 3·(X − delta)·(X + delta) = 3X² − 3Z⁴, the tangent slope numerator for a = −3.
        Sm2Field.Sub(p.X, delta, out var t0);
        Sm2Field.Add(p.X, delta, out var t1);
        Sm2Field.Mul(t0, t1, out var t2);
        Sm2Field.Add(t2, t2, out var alpha);
        Sm2Field.Add(alpha, t2, out alpha);

        Sm2Field.Add(beta, beta, out var beta4);
        Sm2Field.Add(beta4, beta4, out beta4);
        Sm2Field.Add(beta4, beta4, out var beta8);
        Sm2Field.Sqr(alpha, out var x3);
        Sm2Field.Sub(x3, beta8, out x3);

        // Z3 = (Y + Z)² − gamma − delta = 2·Y·Z
        Sm2Field.Add(p.Y, p.Z, out var z3);
        Sm2Field.Sqr(z3, out z3);
        Sm2Field.Sub(z3, gamma, out z3);
        Sm2Field.Sub(z3, delta, out z3);

        // Y3 = alpha·(4·beta − X3) − 8·gamma²
        Sm2Field.Sub(beta4, x3, out var y3);
        Sm2Field.Mul(alpha, y3, out y3);
        Sm2Field.Sqr(gamma, out var gamma2);
        Sm2Field.Add(gamma2, gamma2, out gamma2);
        Sm2Field.Add(gamma2, gamma2, out gamma2);
        Sm2Field.Add(gamma2, gamma2, out gamma2);
        Sm2Field.Sub(y3, gamma2, out y3);

        r.X = x3;
        r.Y = y3;
        r.Z = z3;
    }

    /// <summary>
    /// p + q by the raw mixed formula. Wrong (not a crash) when p is infinity or p = ±q; h = 0 tells
    /// the caller the x-coordinates were equal, rr = 0 in addition that the points were equal.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddMixedRaw(in JacobianPoint p, in AffinePoint q, out JacobianPoint r, out U256 h, out U256 rr)
    {
        Sm2Field.Sqr(p.Z, out var z1z1);
        Sm2Field.Mul(q.X, z1z1, out var u2);
        Sm2Field.Mul(p.Z, z1z1, out var s2);
        Sm2Field.Mul(q.Y, s2, out s2);
        Sm2Field.Sub(u2, p.X, out h);
        Sm2Field.Sub(s2, p.Y, out rr);

        Sm2Field.Sqr(h, out var hh);
        Sm2Field.Add(hh, hh, out var i);
        Sm2Field.Add(i, i, out i);
        Sm2Field.Mul(h, i, out var j);
        Sm2Field.Add(rr, rr, out var r2);
        Sm2Field.Mul(p.X, i, out var v);

        // X3 = r² − J − 2V
        Sm2Field.Sqr(r2, out var x3);
        Sm2Field.Sub(x3, j, out x3);
        Sm2Field.Sub(x3, v, out x3);
        Sm2Field.Sub(x3, v, out x3);

        // Y3 = r·(V − X3) − 2·Y1·J
        Sm2Field.Sub(v, x3, out var y3);
        Sm2Field.Mul(r2, y3, out y3);
        Sm2Field.Mul(p.Y, j, out var yj);
        Sm2Field.Add(yj, yj, out yj);
        Sm2Field.Sub(y3, yj, out y3);

        // Z3 = (Z1 + H)² − Z1Z1 − HH = 2·Z1·H
        Sm2Field.Add(p.Z, h, out var z3);
        Sm2Field.Sqr(z3, out z3);
        Sm2Field.Sub(z3, z1z1, out z3);
        Sm2Field.Sub(z3, hh, out z3);

        r.X = x3;
        r.Y = y3;
        r.Z = z3;
    }

    /// <summary>p += q for public points, with every special case handled (variable time).</summary>
    public static void AddMixedVar(ref JacobianPoint p, in AffinePoint q)
    {
        if (p.IsInfinity)
        {
            p = JacobianPoint.From(q);
            return;
        }

        AddMixedRaw(p, q, out var sum, out var h, out var rr);
        if (!h.IsZero)
        {
            p = sum;
        }
        else if (rr.IsZero)
        {
            Double(JacobianPoint.From(q), out p);
        }
        else
        {
            p = default; // p = −q
        }
    }

    /// <summary>The affine form of a finite point (constant time).</summary>
    public static void ToAffine(in JacobianPoint p, out AffinePoint r)
    {
        Sm2Field.Invert(p.Z, out var zInv);
        Sm2Field.Sqr(zInv, out var zInv2);
        Sm2Field.Mul(p.X, zInv2, out r.X);
        Sm2Field.Mul(zInv2, zInv, out var zInv3);
        Sm2Field.Mul(p.Y, zInv3, out r.Y);
    }

    /// <summary>The affine x of a finite point (constant time), as signing needs it.</summary>
    public static void AffineX(in JacobianPoint p, out U256 x)
    {
        Sm2Field.Invert(p.Z, out var zInv);
        Sm2Field.Sqr(zInv, out var zInv2);
        Sm2Field.Mul(p.X, zInv2, out x);
    }

    /// <summary>Affine forms of finite public points with one inversion (Montgomery's trick).</summary>
    public static void BatchToAffine(ReadOnlySpan<JacobianPoint> points, Span<AffinePoint> result)
    {
        var prefix = new U256[points.Length];
        prefix[0] = points[0].Z;
        for (var i = 1; i < points.Length; i++)
        {
            Sm2Field.Mul(prefix[i - 1], points[i].Z, out prefix[i]);
        }

        Sm2Field.Invert(prefix[^1], out var inv); // 1 / (Z0·…·Zi) as i goes down
        for (var i = points.Length - 1; i >= 0; i--)
        {
            U256 zInv;
            if (i > 0)
            {
                Sm2Field.Mul(inv, prefix[i - 1], out zInv);
                Sm2Field.Mul(inv, points[i].Z, out inv);
            }
            else
            {
                zInv = inv;
            }

            Sm2Field.Sqr(zInv, out var zInv2);
            Sm2Field.Mul(points[i].X, zInv2, out result[i].X);
            Sm2Field.Mul(zInv2, zInv, out var zInv3);
            Sm2Field.Mul(points[i].Y, zInv3, out result[i].Y);
        }
    }

    /// <summary>True when (x, y) satisfies y² = x³ − 3x + b (Montgomery coordinates).</summary>
    public static bool IsOnCurve(in AffinePoint a)
    {
        Sm2Field.Sqr(a.Y, out var lhs);
        Sm2Field.Sqr(a.X, out var rhs);
        Sm2Field.Mul(rhs, a.X, out rhs);
        Sm2Field.Add(a.X, a.X, out var x3);
        Sm2Field.Add(x3, a.X, out x3);
        Sm2Field.Sub(rhs, x3, out rhs);
        Sm2Field.Add(rhs, B, out rhs);
        return lhs.Equals(rhs);
    }

    /// <summary>[2^doublings]·p for a public point, affine.</summary>
    public static AffinePoint DoubleTimes(in AffinePoint p, int doublings)
    {
        var j = JacobianPoint.From(p);
        for (var i = 0; i < doublings; i++)
        {
            Double(j, out j);
        }

        ToAffine(j, out var r);
        return r;
    }

    /// <summary>The odd multiples p, 3p, 5p, … (count of them) of a public point, affine.</summary>
    public static AffinePoint[] OddMultiples(in AffinePoint p, int count)
    {
        var jacobian = new JacobianPoint[count];
        jacobian[0] = JacobianPoint.From(p);
        if (count > 1)
        {
            Double(jacobian[0], out var twice);
            ToAffine(twice, out var twiceAffine);
            for (var i = 1; i < count; i++)
            {
                jacobian[i] = jacobian[i - 1];
                AddMixedVar(ref jacobian[i], twiceAffine);
            }
        }

        var affine = new AffinePoint[count];
        BatchToAffine(jacobian, affine);
        return affine;
    }
}
