using System.Diagnostics.CodeAnalysis;

namespace OpenTreasury.Domain.Codes;

/// <summary>Shared checks for the fixed-format codes the wire carries.</summary>
internal static class Code
{
    public static bool IsDigits(string? text, int lengthMin, int lengthMax) =>
        text is not null && text.Length >= lengthMin && text.Length <= lengthMax && text.All(char.IsAsciiDigit);

    public static bool IsCodeText(string? text, int lengthMax) =>
        !string.IsNullOrEmpty(text) && text.Length <= lengthMax && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public static T Parse<T>(string text, TryParser<T> tryParse, string what) =>
        tryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a valid {what}.");

    public delegate bool TryParser<T>([NotNullWhen(true)] string? text, out T value);
}

/// <summary>Administrative division code (行政区划代码): six digits, e.g. 533103 芒市.</summary>
public readonly record struct AdmDivCode(string Value)
{
    public static bool TryParse([NotNullWhen(true)] string? text, out AdmDivCode code)
    {
        code = Code.IsDigits(text, 6, 6) && text![0] != '0' ? new AdmDivCode(text) : default;
        return code.Value is not null;
    }

    public static AdmDivCode Parse(string text) => Code.Parse<AdmDivCode>(text, TryParse, "AdmDivCode (six digits)");

    public override string ToString() => Value;
}

/// <summary>Business year (业务年度), four digits from 2000 to 2099.</summary>
public readonly record struct StYear(int Value)
{
    public static bool TryParse([NotNullWhen(true)] string? text, out StYear year)
    {
        year = Code.IsDigits(text, 4, 4) && int.Parse(text!, System.Globalization.CultureInfo.InvariantCulture) is >= 2000 and <= 2099 and var y
            ? new StYear(y)
            : default;
        return year.Value != 0;
    }

    public static StYear Parse(string text) => Code.Parse<StYear>(text, TryParse, "StYear (2000–2099)");

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Voucher type code (凭证类型编号), four digits, e.g. 8202.</summary>
public readonly record struct VtCode(string Value)
{
    public static bool TryParse([NotNullWhen(true)] string? text, out VtCode code)
    {
        code = Code.IsDigits(text, 4, 4) ? new VtCode(text!) : default;
        return code.Value is not null;
    }

    public static VtCode Parse(string text) => Code.Parse<VtCode>(text, TryParse, "VtCode (four digits)");

    public override string ToString() => Value;
}

/// <summary>Agent bank category code (代理银行编码), three digits, e.g. 102 ICBC.</summary>
public readonly record struct BankCode(string Value)
{
    public static bool TryParse([NotNullWhen(true)] string? text, out BankCode code)
    {
        code = Code.IsDigits(text, 3, 3) ? new BankCode(text!) : default;
        return code.Value is not null;
    }

    public static BankCode Parse(string text) => Code.Parse<BankCode>(text, TryParse, "bank code (three digits)");

    public override string ToString() => Value;
}

/// <summary>Bank number (银行行号), the 12-digit CNAPS number of a branch.</summary>
public readonly record struct BankNo(string Value)
{
    public static bool TryParse([NotNullWhen(true)] string? text, out BankNo code)
    {
        code = Code.IsDigits(text, 12, 12) ? new BankNo(text!) : default;
        return code.Value is not null;
    }

    public static BankNo Parse(string text) => Code.Parse<BankNo>(text, TryParse, "bank number (12 digits)");

    public override string ToString() => Value;
}

/// <summary>Budget unit code (预算单位编码): 3–21 digits, by level (e.g. 101 first-level, 101001 basic).</summary>
public readonly record struct AgencyCode(string Value)
{
    public static bool TryParse([NotNullWhen(true)] string? text, out AgencyCode code)
    {
        code = Code.IsDigits(text, 3, 21) ? new AgencyCode(text!) : default;
        return code.Value is not null;
    }

    public static AgencyCode Parse(string text) => Code.Parse<AgencyCode>(text, TryParse, "agency code (3–21 digits)");

    public override string ToString() => Value;
}

/// <summary>Functional classification of expenditure (支出功能分类): 3, 5 or 7 digits (类, 款, 项), e.g. 2010101.</summary>
public readonly record struct ExpFuncCode(string Value)
{
    public static bool TryParse([NotNullWhen(true)] string? text, out ExpFuncCode code)
    {
        code = Code.IsDigits(text, 3, 7) && text!.Length is 3 or 5 or 7 && text[0] == '2' ? new ExpFuncCode(text) : default;
        return code.Value is not null;
    }

    public static ExpFuncCode Parse(string text) => Code.Parse<ExpFuncCode>(text, TryParse, "functional class (3, 5 or 7 digits starting with 2)");

    public override string ToString() => Value;
}

/// <summary>Economic classification of expenditure (支出经济分类): 3 or 5 digits, e.g. 30101.</summary>
public readonly record struct ExpEcoCode(string Value)
{
    public static bool TryParse([NotNullWhen(true)] string? text, out ExpEcoCode code)
    {
        code = Code.IsDigits(text, 3, 5) && text!.Length is 3 or 5 && text[0] is '3' or '5' ? new ExpEcoCode(text) : default;
        return code.Value is not null;
    }

    public static ExpEcoCode Parse(string text) => Code.Parse<ExpEcoCode>(text, TryParse, "economic class (3 or 5 digits starting with 3 or 5)");

    public override string ToString() => Value;
}

/// <summary>Voucher number (凭证号): 1–42 ASCII letters, digits, '-', '_' or '.' (its uniqueness is per AdmDivCode, StYear, VtCode).</summary>
public readonly record struct VoucherNo(string Value)
{
    public const int LengthMax = 42;

    public static bool TryParse([NotNullWhen(true)] string? text, out VoucherNo code)
    {
        code = Code.IsCodeText(text, LengthMax) ? new VoucherNo(text!) : default;
        return code.Value is not null;
    }

    public static VoucherNo Parse(string text) => Code.Parse<VoucherNo>(text, TryParse, "voucher number (1–42 letters, digits, '-', '_', '.')");

    public override string ToString() => Value;
}
