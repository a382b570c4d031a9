using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.People;
using OpenTreasury.Wire;

namespace OpenTreasury.Node.Library;

/// <summary>A voucher version as the library keeps it: the exact signed bytes and its bookkeeping.</summary>
public sealed record StoredVoucher
{
    public long Id { get; init; }

    public required string Origin { get; init; }

    public required string Sender { get; init; }

    public required string AdmDivCode { get; init; }

    public long StYear { get; init; }

    public required string VtCode { get; init; }

    public required string VoucherNo { get; init; }

    public long Version { get; init; }

    public long Flag { get; init; }

    public required string State { get; init; }

    public required byte[] InnerXml { get; init; }

    public required string Digest { get; init; }

    public long? AmountFen { get; init; }

    public required string VouDate { get; init; }

    public string Attach { get; init; } = string.Empty;

    public string? EnteredBy { get; init; }

    public string? ApprovedBy { get; init; }

    public string? Reason { get; init; }

    /// <summary>The budget unit the voucher concerns (its AgencyCode), or null.</summary>
    public string? AgencyCode { get; init; }

    /// <summary>The stamp template version (凭证模板版本) of its (AdmDivCode, VtCode) it was made under; 1 the defaults.</summary>
    public long TemplateVersion { get; init; } = 1;

    public VoucherKey Key => new(
        Domain.Codes.AdmDivCode.Parse(AdmDivCode),
        new StYear((int)StYear),
        Domain.Codes.VtCode.Parse(VtCode),
        Domain.Codes.VoucherNo.Parse(VoucherNo));

    public PartyId SenderParty => PartyId.Parse(Sender);

    /// <summary>The voucher as authorization sees it: its unit and its division.</summary>
    public VoucherScope Scope => new(AgencyCode, AdmDivCode);

    public bool IsReply => Flag == 1;

    public VoucherType Type => VoucherCatalogue.Get(Domain.Codes.VtCode.Parse(VtCode));

    /// <summary>The voucher content, read back from the stored bytes (they passed the same reader on the way in).</summary>
    public Voucher Content => VoucherXml.Read(InnerXml).Value;

    /// <summary>
    /// The header fields alone, read without the detail lines, as a voucher whose <see cref="Voucher.Details"/> are
    /// empty: for lists that show a payee or a class, where a payroll's 10,000 lines would be read for one field.
    /// </summary>
    public Voucher HeaderOnly => new(VoucherXml.ReadHeader(InnerXml).Value, []);
}

/// <summary>A stamp on a stored voucher.</summary>
public sealed record StoredStamp(string Position, byte[] Der, string Signer, string? EsId, string SignedAt);

/// <summary>The status of an own voucher at one receiving party.</summary>
public sealed record DeliveryState(string Receiver, VoucherStatus Status, string? Reason, string UpdatedAt);
