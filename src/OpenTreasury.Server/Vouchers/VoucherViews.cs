using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Node.Library;
using OpenTreasury.Trust.Seals;

namespace OpenTreasury.Server.Vouchers;

/// <summary>One voucher in a list: its key, state and amount (the wire's two-place string).</summary>
public sealed record VoucherSummary(
    long Id, string VtCode, string VtName, string VoucherNo, long Version, bool Reply, string Origin, string Sender,
    string State, string? Amount, string VouDate, string? AgencyCode);

/// <summary>A page of vouchers; <c>next</c> is the cursor (<c>after</c>) of the following page, null at the end.</summary>
public sealed record VoucherPage(IReadOnlyList<VoucherSummary> Items, long? Next);

public sealed record StampView(string Position, string PositionName, string? SealName, string? EsId, string Signer, string SignedAt);

public sealed record DeliveryView(string Receiver, int Code, string Status, string? Reason, string UpdatedAt);

/// <summary>One voucher in full: key fields, header and details, stamps, status per receiver.</summary>
public sealed record VoucherDetail(
    VoucherSummary Voucher, string AdmDivCode, long StYear, string? AmountInCapitals, IReadOnlyDictionary<string, string> Header,
    IReadOnlyList<IReadOnlyDictionary<string, string>> Details, IReadOnlyList<StampView> Stamps, IReadOnlyList<DeliveryView> Deliveries,
    string? EnteredBy, string? ApprovedBy, string? Reason, string DigestSm3, int PrintCount, string? UnsignedAttach);

public sealed record StampPositionView(string Name, string ChineseName, string Party, string SealType, string Role, bool OnReply, bool Stamped);

public sealed record ReasonRequest(string Reason);

public sealed record VoucherActionResult(long Id, string State);

internal static class VoucherViews
{
    public static VoucherSummary Summary(StoredVoucher v) => new(
        v.Id, v.VtCode, v.Type.Name, v.VoucherNo, v.Version, v.IsReply, v.Origin, v.Sender, v.State,
        v.AmountFen is { } fen ? new Amount(fen).ToWire() : null, v.VouDate, v.AgencyCode);

    public static VoucherDetail Detail(VoucherLibrary library, StoredVoucher v)
    {
        var content = v.Content;
        var positions = library.TemplateOf(v).Positions;
        return new VoucherDetail(
            Summary(v), v.AdmDivCode, v.StYear,
            v.AmountFen is { } fen ? new Amount(fen).ToChineseCapitals() : null,
            content.Header.ToDictionary(f => f.Name, f => f.Value, StringComparer.Ordinal),
            [.. content.Details.Select(d => (IReadOnlyDictionary<string, string>)d.Fields.ToDictionary(f => f.Name, f => f.Value, StringComparer.Ordinal))],
            [.. library.Stamps(v.Id).Select(s =>
            {
                var seal = SealSignature.TryParse(s.Der, out var parsed, out _) ? parsed!.Seal.Info : null;
                return new StampView(s.Position, positions.FirstOrDefault(p => p.Name == s.Position)?.ChineseName ?? s.Position,
                    seal?.Property.Name, seal?.EsId ?? s.EsId, s.Signer, s.SignedAt);
            })],
            [.. library.Deliveries(v.Id).Select(d => new DeliveryView(d.Receiver, (int)d.Status, d.Status.ToString(), d.Reason, d.UpdatedAt))],
            v.EnteredBy, v.ApprovedBy, v.Reason, v.Digest, library.PrintCount(v.Id),
            // The envelope's Attach (附言) travels beside the voucher: no stamp covers it, so it is named as unsigned.
            v.Attach.Length == 0 ? null : v.Attach);
    }

    public static IReadOnlyList<StampPositionView> Positions(VoucherLibrary library, StoredVoucher v)
    {
        var stamped = library.Stamps(v.Id).Select(s => s.Position).ToHashSet(StringComparer.Ordinal);
        return [.. library.TemplateOf(v).For(v.IsReply)
            .Select(p => new StampPositionView(p.Name, p.ChineseName, p.Party.ToString(), p.SealType.ToString(), p.Role.ToString(), p.OnReply, stamped.Contains(p.Name)))];
    }
}
