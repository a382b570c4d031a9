using System.Globalization;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;

namespace OpenTreasury.Business.Finance;

/// <summary>
/// For a Finance node recovering from its backup (ADR 0016, point 4): runs again the use case that made one of its own
/// vouchers after the backup, with what the peer's copy of it says — the order, the plan, the allocation, its date, and
/// who entered and approved it. The library takes what the use case makes only if it is that very voucher, with the
/// stamps the peer holds; anything else rolls back and the node stays closed.
/// </summary>
internal static class RemakeOwnVoucher
{
    /// <summary>False for a voucher no use case of Finance makes on its own: the 5108 (its 5201 makes it), the 5507 (the answer to a 3507).</summary>
    public static bool Handle(FinanceContext finance, ReplayStep step)
    {
        if (step.Made is not { } voucher || !DateOnly.TryParseExact(voucher["VouDate"], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return false;
        }

        switch (voucher["VtCode"])
        {
            case "8202" when step is { Maker: { } maker, Checker: { } checker }:
                _ = SubmitPayment.Handle(finance, PaymentOrderOf(voucher), date, finance.Signers.SignerFor(maker), finance.Signers.SignerFor(checker));
                return true;
            case "5105" or "5106" when int.TryParse(voucher["SetMonth"], NumberStyles.None, CultureInfo.InvariantCulture, out var month):
                _ = IssueQuota.Handle(finance, month, date, [.. voucher.Details.Select(d => new QuotaPlanLine(d["AgencyCode"]!, d["ExpFuncCode"]!, Amount.ParseWire(d["PlanAmt"]!)))]);
                return true;
            case "5201":
                _ = SubmitDirectPayment.Handle(finance, DirectPaymentOrderOf(voucher), date);
                return true;
            case FinanceAllocations.VtCode when step.Attach.StartsWith(ReissuePrefix, StringComparison.Ordinal):
                _ = ReissueAllocation.Handle(finance, step.Attach[ReissuePrefix.Length..], voucher["VoucherNo"]!, date, PayeeOf(voucher), null);
                return true;
            case FinanceAllocations.VtCode when voucher["Hold1"] is { Length: > 0 } refund:
                _ = ReallocateRefund.Handle(finance, refund, AllocationOrderOf(voucher), date);
                return true;
            case FinanceAllocations.VtCode:
                _ = IssueAllocation.Handle(finance, AllocationOrderOf(voucher), date);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The attach of a reissued 5207, before the number it reissues (ReissueAllocation).</summary>
    private const string ReissuePrefix = "重开 ";

    /// <summary>
    /// The unit's order an 8202 was made of: its lines when they are not the one line the order's class alone gives (a
    /// line with its own economic class or remark).
    /// </summary>
    private static PaymentOrder PaymentOrderOf(Voucher voucher)
    {
        var plain = voucher.Details is [var only] && string.IsNullOrEmpty(only["Remark"])
            && only["ExpEcoCode"] == voucher["ExpEcoCode"] && only["ExpEcoName"] == voucher["ExpEcoName"];
        return new PaymentOrder(
            voucher["VoucherNo"],
            voucher["AgencyCode"]!,
            voucher["ExpFuncCode"]!,
            Amount.ParseWire(voucher["PayAmt"]!),
            new Payee(voucher["PayeeAcctNo"]!, voucher["PayeeAcctName"]!, voucher["PayeeAcctBankName"] ?? string.Empty, voucher["PayeeAcctBankNo"] ?? string.Empty),
            voucher["PaySummaryName"] ?? string.Empty)
        {
            Lines = plain ? [] : [.. voucher.Details.Select(d => new PaymentLine(d["ExpEcoCode"]!, d["ExpEcoName"]!, Amount.ParseWire(d["PayAmt"]!), d["Remark"] ?? string.Empty))],
        };
    }

    private static DirectPaymentOrder DirectPaymentOrderOf(Voucher voucher)
    {
        var lines = voucher.Details.Select(d => new DirectPaymentLine(d["ExpFuncCode"]!, Amount.ParseWire(d["PayAmt"]!), PayeeOf(d))).ToList();
        return new DirectPaymentOrder(voucher["VoucherNo"]!, voucher["AgencyCode"]!, lines[0].ExpFuncCode, lines[0].Amount, lines[0].Payee, voucher["PaySummaryName"] ?? string.Empty)
        {
            MoreLines = lines[1..],
        };
    }

    private static AllocationOrder AllocationOrderOf(Voucher voucher) => new(
        voucher["VoucherNo"]!,
        PayeeOf(voucher),
        [.. voucher.Details.Select(d => new AllocationLine(d["AgencyCode"]!, d["ExpFuncCode"]!, Amount.ParseWire(d["PayAmt"]!)))],
        voucher["PaySummaryName"] ?? string.Empty);

    private static Payee PayeeOf(Voucher voucher) =>
        new(voucher["PayeeAcctNo"]!, voucher["PayeeAcctName"]!, voucher["PayeeAcctBankName"] ?? string.Empty, voucher["PayeeAcctBankNo"] ?? string.Empty);

    private static Payee PayeeOf(VoucherDetail line) =>
        new(line["PayeeAcctNo"]!, line["PayeeAcctName"]!, line["PayeeAcctBankName"] ?? string.Empty, line["PayeeAcctBankNo"] ?? string.Empty);
}
