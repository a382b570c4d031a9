using System.Collections.Frozen;
using System.Globalization;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Money;

namespace OpenTreasury.Domain.Vouchers;

/// <summary>Stable codes of what can be wrong with a voucher's content.</summary>
public enum VoucherProblemCode
{
    UnknownVtCode = 1,
    MissingField = 2,
    UnknownField = 3,
    DuplicateField = 4,
    InvalidCode = 5,
    InvalidAmount = 6,
    InvalidDate = 7,
    TotalMismatch = 8,
    TooManyDetails = 9,
    TooManyFields = 10,
    ValueTooLong = 11,
    NoDetails = 12,
    AmountNotPositive = 13,
}

/// <summary>One thing wrong with a voucher, naming the field and, for a detail, its line (1-based).</summary>
public sealed record VoucherProblem(VoucherProblemCode Code, string Field, int? DetailLine, string Message)
{
    public override string ToString() =>
        DetailLine is { } line ? $"{Code}: detail {line} field {Field}: {Message}" : $"{Code}: field {Field}: {Message}";
}

/// <summary>The content rules every voucher must satisfy before it is stored, signed or accepted.</summary>
public static class VoucherRules
{
    private static readonly FrozenSet<string> DateFields =
        FrozenSet.Create(StringComparer.Ordinal, "VouDate", "PayDate", "XPayDate", "XClearDate", "XAcceptDate", "CheckDate", "BeginDate", "EndDate");

    /// <summary>All problems of the voucher against its catalogue type; empty when it is valid.</summary>
    public static IReadOnlyList<VoucherProblem> Check(Voucher voucher)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        var problems = new List<VoucherProblem>();
        var vtText = voucher["VtCode"];
        if (vtText is null)
        {
            problems.Add(new(VoucherProblemCode.MissingField, "VtCode", null, "the voucher has no VtCode"));
            return problems;
        }

        if (!VoucherCatalogue.TryGet(vtText, out var type))
        {
            problems.Add(new(VoucherProblemCode.UnknownVtCode, "VtCode", null, $"VtCode '{vtText}' is not in the catalogue"));
            return problems;
        }

        if (voucher.Details.Count > Limits.VoucherDetailsMax)
        {
            problems.Add(new(VoucherProblemCode.TooManyDetails, "DetailList", null, $"{voucher.Details.Count} details exceed the limit of {Limits.VoucherDetailsMax}"));
            return problems;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal); // reused by every line: a payroll has 10,000
        CheckFields(voucher.Header, type.HasHeaderField, type.RequiredHeaderFields, null, seen, problems);
        CheckCodes(voucher, problems);
        if (type.DetailAmountField is not null && voucher.Details.Count == 0)
        {
            problems.Add(new(VoucherProblemCode.NoDetails, "DetailList", null, $"a {type.VtCode} voucher needs at least one detail line"));
            return problems;
        }

        for (var i = 0; i < voucher.Details.Count; i++)
        {
            CheckFields(voucher.Details[i].Fields, type.HasDetailField, type.RequiredDetailFields, i + 1, seen, problems);
        }

        CheckSigns(voucher, type, problems);
        CheckTotal(voucher, type, problems);
        return problems;
    }

    private static void CheckFields(
        IReadOnlyList<VoucherField> fields, Func<string, bool> isKnown, IReadOnlyList<string> required, int? line, HashSet<string> seen, List<VoucherProblem> problems)
    {
        if (fields.Count > Limits.VoucherFieldsMax)
        {
            problems.Add(new(VoucherProblemCode.TooManyFields, "*", line, $"{fields.Count} fields exceed the limit of {Limits.VoucherFieldsMax}"));
            return;
        }

        seen.Clear();
        foreach (var field in fields)
        {
            if (!seen.Add(field.Name))
            {
                problems.Add(new(VoucherProblemCode.DuplicateField, field.Name, line, "the field appears more than once"));
            }

            if (!isKnown(field.Name))
            {
                problems.Add(new(VoucherProblemCode.UnknownField, field.Name, line, "the field is not part of this voucher type"));
            }

            if (field.Value.Length > Limits.FieldValueLengthMax)
            {
                problems.Add(new(VoucherProblemCode.ValueTooLong, field.Name, line, $"the value is longer than {Limits.FieldValueLengthMax} characters"));
            }

            if (IsAmountField(field.Name) && field.Value.Length > 0 && !Amount.TryParseWire(field.Value, out _, out var error))
            {
                problems.Add(new(VoucherProblemCode.InvalidAmount, field.Name, line, error));
            }

            if (DateFields.Contains(field.Name) && field.Value.Length > 0 && !IsDate(field.Value))
            {
                problems.Add(new(VoucherProblemCode.InvalidDate, field.Name, line, $"'{field.Value}' is not a date in the form yyyyMMdd"));
            }
        }

        foreach (var name in required)
        {
            if (string.IsNullOrEmpty(VoucherFields.Find(fields, name)))
            {
                problems.Add(new(VoucherProblemCode.MissingField, name, line, "the field is required"));
            }
        }
    }

    private static void CheckCodes(Voucher voucher, List<VoucherProblem> problems)
    {
        Check(voucher["AdmDivCode"], "AdmDivCode", t => AdmDivCode.TryParse(t, out _), "six digits");
        Check(voucher["StYear"], "StYear", t => StYear.TryParse(t, out _), "a year from 2000 to 2099");
        Check(voucher["VoucherNo"], "VoucherNo", t => VoucherNo.TryParse(t, out _), "1–42 letters, digits, '-', '_' or '.'");
        Check(voucher["PayBankCode"], "PayBankCode", t => BankCode.TryParse(t, out _), "three digits");
        Check(voucher["AgencyCode"], "AgencyCode", t => AgencyCode.TryParse(t, out _), "3–21 digits");
        Check(voucher["ExpFuncCode"], "ExpFuncCode", t => ExpFuncCode.TryParse(t, out _), "3, 5 or 7 digits starting with 2");
        for (var i = 0; i < voucher.Details.Count; i++)
        {
            var detail = voucher.Details[i];
            Check(detail["AgencyCode"], "AgencyCode", t => AgencyCode.TryParse(t, out _), "3–21 digits", i + 1);
            Check(detail["ExpFuncCode"], "ExpFuncCode", t => ExpFuncCode.TryParse(t, out _), "3, 5 or 7 digits starting with 2", i + 1);
        }

        void Check(string? value, string field, Func<string, bool> valid, string expected, int? line = null)
        {
            if (!string.IsNullOrEmpty(value) && !valid(value))
            {
                problems.Add(new(VoucherProblemCode.InvalidCode, field, line, $"'{value}' is not valid: expected {expected}"));
            }
        }
    }

    // A payment, quota or clearing line of zero or below would move money backwards without a refund voucher.
    private static void CheckSigns(Voucher voucher, VoucherType type, List<VoucherProblem> problems)
    {
        if (type.SignedAmounts)
        {
            return;
        }

        if (type.HeaderAmountField is { } header && Amount.TryParseWire(voucher[header], out var total) && total <= Amount.Zero)
        {
            problems.Add(new(VoucherProblemCode.AmountNotPositive, header, null, $"{total.ToWire()} is not a positive amount; a {type.VtCode} moves money forwards only"));
        }

        if (type.DetailAmountField is not { } detailField)
        {
            return;
        }

        for (var i = 0; i < voucher.Details.Count; i++)
        {
            if (Amount.TryParseWire(voucher.Details[i][detailField], out var line) && line <= Amount.Zero)
            {
                problems.Add(new(VoucherProblemCode.AmountNotPositive, detailField, i + 1, $"{line.ToWire()} is not a positive amount; a {type.VtCode} moves money forwards only"));
            }
        }
    }

    private static void CheckTotal(Voucher voucher, VoucherType type, List<VoucherProblem> problems)
    {
        if (type.HeaderAmountField is not { } headerField || type.DetailAmountField is not { } detailField)
        {
            return;
        }

        if (!Amount.TryParseWire(voucher[headerField], out var total))
        {
            return; // Already reported as missing or invalid.
        }

        // Int128: hostile details may add up past the largest Amount; that is a mismatch to report, not a crash.
        Int128 sum = 0;
        foreach (var detail in voucher.Details)
        {
            if (!Amount.TryParseWire(detail[detailField], out var line))
            {
                return;
            }

            sum += line.Fen;
        }

        if (sum != total.Fen)
        {
            var sumText = Int128.Abs(sum) <= Amount.FenMax ? new Amount((long)sum).ToWire() : "beyond the largest amount";
            problems.Add(new(VoucherProblemCode.TotalMismatch, headerField, null,
                $"the header total {total.ToWire()} differs from the sum of the details {sumText}"));
        }
    }

    private static bool IsAmountField(string name) =>
        name.EndsWith("Amt", StringComparison.Ordinal) || name.EndsWith("Amt1", StringComparison.Ordinal) || name is "PlanRemainAmt";

    private static bool IsDate(string text) =>
        text.Length == 8 && DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
}
