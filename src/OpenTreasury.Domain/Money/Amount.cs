using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace OpenTreasury.Domain.Money;

/// <summary>An exact amount of money in fen (分). Refunds are negative.</summary>
/// <remarks>
/// The wire carries amounts as decimal strings with exactly two places ("1234.50", "-20.00");
/// they are parsed digit by digit, never through <see cref="double"/> or <see cref="decimal"/>.
/// Arithmetic is checked: an overflow throws rather than wraps.
/// </remarks>
public readonly record struct Amount : IComparable<Amount>
{
    /// <summary>
    /// 10^15 yuan less one fen (fifteen nines of yuan, 99 fen): far above any budget, well inside a
    /// <see cref="long"/>, and exactly what the 15 integer digits of the wire form can carry.
    /// </summary>
    public const long FenMax = 999_999_999_999_999_99;

    /// <summary>The longest wire text we accept: sign, 15 integer digits, point, 2 decimals.</summary>
    public const int WireLengthMax = 19;

    public static readonly Amount Zero;

    public Amount(long fen)
    {
        if (fen is > FenMax or < -FenMax)
        {
            throw new ArgumentOutOfRangeException(nameof(fen), fen, "Amount is beyond ±FenMax.");
        }

        Fen = fen;
    }

    public long Fen { get; }

    public bool IsZero => Fen == 0;

    public bool IsNegative => Fen < 0;

    public static Amount FromYuan(long yuan) => new(checked(yuan * 100));

    public static Amount operator +(Amount left, Amount right) => new(checked(left.Fen + right.Fen));

    public static Amount operator -(Amount left, Amount right) => new(checked(left.Fen - right.Fen));

    public static Amount operator -(Amount value) => new(-value.Fen);

    public static bool operator <(Amount left, Amount right) => left.Fen < right.Fen;

    public static bool operator >(Amount left, Amount right) => left.Fen > right.Fen;

    public static bool operator <=(Amount left, Amount right) => left.Fen <= right.Fen;

    public static bool operator >=(Amount left, Amount right) => left.Fen >= right.Fen;

    public int CompareTo(Amount other) => Fen.CompareTo(other.Fen);

    public static Amount Sum(IEnumerable<Amount> amounts)
    {
        ArgumentNullException.ThrowIfNull(amounts);
        var total = Zero;
        foreach (var amount in amounts)
        {
            total += amount;
        }

        return total;
    }

    /// <summary>Parses the wire form: an optional '-', 1–15 digits without leading zeros, '.', two digits.</summary>
    public static Amount ParseWire(string text) =>
        TryParseWire(text, out var amount, out var error)
            ? amount
            : throw new FormatException(error);

    public static bool TryParseWire([NotNullWhen(true)] string? text, out Amount amount) =>
        TryParseWire(text, out amount, out _);

    public static bool TryParseWire([NotNullWhen(true)] string? text, out Amount amount, out string error)
    {
        amount = Zero;
        if (string.IsNullOrEmpty(text))
        {
            error = "amount is empty";
            return false;
        }

        if (text.Length > WireLengthMax)
        {
            error = $"amount '{Shorten(text)}' is longer than {WireLengthMax} characters";
            return false;
        }

        var negative = text[0] == '-';
        var digits = negative ? text.AsSpan(1) : text.AsSpan();
        var point = digits.IndexOf('.');
        if (point < 1 || digits.Length - point - 1 != 2)
        {
            error = $"amount '{text}' must have digits, a point and exactly two decimals (e.g. 1234.50)";
            return false;
        }

        var integerPart = digits[..point];
        var fraction = digits[(point + 1)..];
        if (!AllAsciiDigits(integerPart) || !AllAsciiDigits(fraction))
        {
            error = $"amount '{text}' may contain only digits, one point and a leading minus";
            return false;
        }

        if (integerPart.Length > 1 && integerPart[0] == '0')
        {
            error = $"amount '{text}' has a leading zero";
            return false;
        }

        if (integerPart.Length > 15)
        {
            error = $"amount '{text}' exceeds the maximum of 15 integer digits";
            return false;
        }

        long fen = 0;
        foreach (var c in integerPart)
        {
            fen = checked((fen * 10) + (c - '0'));
        }

        fen = checked((fen * 100) + ((fraction[0] - '0') * 10) + (fraction[1] - '0'));
        if (fen > FenMax)
        {
            // Unreachable while FenMax fills 15 digits; kept so a Try method never throws.
            error = $"amount '{text}' exceeds the maximum of {FenMax / 100}.{FenMax % 100:D2}";
            return false;
        }

        if (negative && fen == 0)
        {
            error = $"amount '{text}' is a negative zero";
            return false;
        }

        amount = new Amount(negative ? -fen : fen);
        error = string.Empty;
        return true;
    }

    /// <summary>The wire form: "1234.50", "-20.00", "0.00".</summary>
    public string ToWire()
    {
        var magnitude = Math.Abs(Fen);
        var text = string.Create(CultureInfo.InvariantCulture, $"{magnitude / 100}.{magnitude % 100:D2}");
        return Fen < 0 ? "-" + text : text;
    }

    public override string ToString() => ToWire();

    /// <summary>The amount in Chinese capitals (大写金额), e.g. 壹仟零伍元整; refunds get a leading 负.</summary>
    public string ToChineseCapitals() => ChineseCapitals.Format(this);

    private static bool AllAsciiDigits(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return span.Length > 0;
    }

    private static string Shorten(string text) => text.Length <= 24 ? text : text[..24] + "…";
}
