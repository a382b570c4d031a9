using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Money;

namespace OpenTreasury.Domain.Vouchers;

/// <summary>One named field of a voucher header or detail line, exactly as the wire carries it.</summary>
public sealed record VoucherField(string Name, string Value);

/// <summary>The business key of a voucher: unique per (AdmDivCode, StYear, VtCode, VoucherNo).</summary>
public readonly record struct VoucherKey(AdmDivCode AdmDivCode, StYear StYear, VtCode VtCode, VoucherNo VoucherNo)
{
    public override string ToString() => $"{VtCode}/{AdmDivCode}/{StYear}/{VoucherNo}";
}

/// <summary>A detail line (明细) of a voucher: ordered fields.</summary>
public sealed class VoucherDetail
{
    public VoucherDetail(IEnumerable<VoucherField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        Fields = [.. fields];
    }

    public IReadOnlyList<VoucherField> Fields { get; }

    public string? this[string name] => VoucherFields.Find(Fields, name);

    public VoucherDetail With(string name, string value) => new(VoucherFields.Set(Fields, name, value));
}

/// <summary>
/// A voucher (电子凭证) as data: ordered header fields, then detail lines. Immutable; a change makes a
/// new voucher, so what was signed is never edited in place. Typed views (quota notice, payment
/// voucher …) read and build it; the catalogue says which fields a <see cref="VtCode"/> has.
/// </summary>
public sealed class Voucher
{
    public Voucher(IEnumerable<VoucherField> header, IEnumerable<VoucherDetail> details)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(details);
        Header = [.. header];
        Details = [.. details];
    }

    public IReadOnlyList<VoucherField> Header { get; }

    public IReadOnlyList<VoucherDetail> Details { get; }

    public string? this[string name] => VoucherFields.Find(Header, name);

    public VtCode VtCode => VtCode.Parse(Require("VtCode"));

    /// <summary>The business key; valid only for a voucher that passed <see cref="VoucherRules"/>.</summary>
    public VoucherKey Key => new(
        AdmDivCode.Parse(Require("AdmDivCode")),
        StYear.Parse(Require("StYear")),
        VtCode.Parse(Require("VtCode")),
        VoucherNo.Parse(Require("VoucherNo")));

    public Amount AmountOf(string field) => Amount.ParseWire(Require(field));

    /// <summary>A copy with one header field set (replaced in place, or appended when absent).</summary>
    public Voucher With(string name, string value) => new(VoucherFields.Set(Header, name, value), Details);

    public Voucher WithDetails(IEnumerable<VoucherDetail> details) => new(Header, details);

    public string Require(string name) =>
        this[name] ?? throw new InvalidOperationException($"Voucher has no header field '{name}'.");
}

internal static class VoucherFields
{
    public static string? Find(IReadOnlyList<VoucherField> fields, string name)
    {
        foreach (var field in fields)
        {
            if (string.Equals(field.Name, name, StringComparison.Ordinal))
            {
                return field.Value;
            }
        }

        return null;
    }

    public static List<VoucherField> Set(IReadOnlyList<VoucherField> fields, string name, string value)
    {
        var copy = new List<VoucherField>(fields);
        var index = copy.FindIndex(f => string.Equals(f.Name, name, StringComparison.Ordinal));
        if (index >= 0)
        {
            copy[index] = new VoucherField(name, value);
        }
        else
        {
            copy.Add(new VoucherField(name, value));
        }

        return copy;
    }
}
