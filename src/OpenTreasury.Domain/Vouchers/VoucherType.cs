using System.Collections.Frozen;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Parties;

namespace OpenTreasury.Domain.Vouchers;

/// <summary>
/// A named place where a stamp goes (签章位置), e.g. <c>yh_qm</c>: party prefix, role, type suffix
/// (gz 公章, ywzyz 业务专用章, zqz 转讫章, jzysz 记账员私章, fhysz 复核员私章, qm 签名).
/// </summary>
/// <param name="Name">The position name on the template.</param>
/// <param name="Party">The kind of party whose stamp goes there.</param>
/// <param name="ChineseName">What the printed voucher calls it.</param>
/// <param name="OnReply">True when it is stamped on the 回单 (by the receiver), not on the voucher.</param>
public sealed record StampPosition(string Name, PartyKind Party, string ChineseName, bool OnReply = false)
{
    /// <summary>The institution signature (机构签名) of a party's signature server.</summary>
    public bool IsInstitutionSignature => Name.EndsWith("_qm", StringComparison.Ordinal);
}

/// <summary>One entry of the voucher catalogue: what a <see cref="VtCode"/> is and who sends it where.</summary>
public sealed record VoucherType
{
    public required VtCode VtCode { get; init; }

    public required string Name { get; init; }

    /// <summary>The class the library files it under (凭证分类管理), as the catalogue groups the flows.</summary>
    public required VoucherCategory Category { get; init; }

    public required PartyKind Sender { get; init; }

    public required IReadOnlyList<PartyKind> Receivers { get; init; }

    /// <summary>Header fields in wire order: AdmDivCode, StYear, VtCode, VouDate, VoucherNo first, preceded by Id except in the reconciliation layouts.</summary>
    public required IReadOnlyList<string> HeaderFields
    {
        get;
        init => (field, _headerFieldSet) = (value, value.ToFrozenSet(StringComparer.Ordinal));
    }

    public required IReadOnlyList<string> DetailFields
    {
        get;
        init => (field, _detailFieldSet) = (value, value.ToFrozenSet(StringComparer.Ordinal));
    }

    public required IReadOnlyList<string> RequiredHeaderFields { get; init; }

    public required IReadOnlyList<string> RequiredDetailFields { get; init; }

    /// <summary>The header field holding the total, equal to the sum of <see cref="DetailAmountField"/>.</summary>
    public string? HeaderAmountField { get; init; }

    public string? DetailAmountField { get; init; }

    /// <summary>
    /// True for refunds and statements, whose lines may be negative (退款 is written negative); every other
    /// type's header total and detail amounts must be positive.
    /// </summary>
    public bool SignedAmounts { get; init; }

    /// <summary>True when the receiver answers with a 回单 (the same voucher with its X-fields filled).</summary>
    public bool HasReply { get; init; }

    public required IReadOnlyList<StampPosition> StampPositions { get; init; }

    /// <summary>Where the sender's signature server signs the voucher.</summary>
    public StampPosition SenderSignature => StampPositions.First(p => p.IsInstitutionSignature && !p.OnReply);

    /// <summary>Where the receiver's signature server signs its 回单.</summary>
    public StampPosition? ReplySignature => StampPositions.FirstOrDefault(p => p.IsInstitutionSignature && p.OnReply);

    /// <summary>Is this field a known header field (X-fields included)?</summary>
    public bool HasHeaderField(string name) => _headerFieldSet.Contains(name);

    /// <summary>Is this field a known detail field? Asked for every field of every line (10,000 lines in a payroll).</summary>
    public bool HasDetailField(string name) => _detailFieldSet.Contains(name);

    // Made from the lists as they are set, for the lookups above.
    private readonly FrozenSet<string> _headerFieldSet = FrozenSet<string>.Empty;
    private readonly FrozenSet<string> _detailFieldSet = FrozenSet<string>.Empty;
}
