using System.Collections.Frozen;
using OpenTreasury.Business.Bank.Received;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Bank;

/// <summary>
/// One row of the bank's table: the use case that handles a received voucher, and what its outcome adds to
/// the pass (an outcome the library refused always counts as <see cref="BankPass.Refused"/>).
/// </summary>
internal sealed record BankRoute(Func<BankShift, LibrarySession, StoredVoucher, LibraryResult> Handle, Func<BankPass, LibraryResult, BankPass> Count);

/// <summary>
/// The agent bank's VtCode → handler table: (VtCode, is-回单) to the use case in <c>Received/</c>. A voucher
/// not in the table is refused (签收失败) with <see cref="BankRejection.UnknownVoucherType"/>.
/// </summary>
internal static class BankRoutes
{
    public static readonly FrozenDictionary<(string VtCode, bool IsReply), BankRoute> Table = new Dictionary<(string VtCode, bool IsReply), BankRoute>
    {
        [("5105", false)] = new(BookQuota.Handle, (p, _) => p with { QuotaNotices = p.QuotaNotices + 1 }),         // 额度通知单
        [("8202", false)] = new(PayAuthorizedVoucher.Handle, (p, o) => o.Message == BankContext.Returned            // 授权支付凭证
            ? p with { PaymentsReturned = p.PaymentsReturned + 1 }
            : p with { PaymentsPaid = p.PaymentsPaid + 1 }),
        [("5201", false)] = new(PayDirectVoucher.Handle, (p, o) => o.Message == BankContext.Returned                // 直接支付凭证
            ? p with { DirectPaymentsReturned = p.DirectPaymentsReturned + 1 }
            : p with { DirectPayments = p.DirectPayments + 1 }),
        [("2301", true)] = new(RecordClearing.Handle, (p, _) => p with { ClearingReceipts = p.ClearingReceipts + 1 }),  // 申请划款凭证回单
        [("2302", true)] = new(RecordRefund.Handle, (p, _) => p with { RefundReceipts = p.RefundReceipts + 1 }),        // 申请退款凭证回单
        [("3502", false)] = new(CheckVoucherStatement.Handle, (p, _) => p with { VoucherStatements = p.VoucherStatements + 1 }), // 凭证对账单
        [("4005", false)] = new(CheckVoucherStatement.Handle, (p, _) => p with { VoucherStatements = p.VoucherStatements + 1 }), // 支付对账单
        [("3507", false)] = new(AnswerClearingStatement.Handle, (p, _) => p with { ClearingStatements = p.ClearingStatements + 1 }), // 清算信息对账单
    }.ToFrozenDictionary();

    /// <summary>The handler of the voucher's row, or the refusal of a voucher the bank does not handle or of a division it does not serve.</summary>
    public static LibraryResult Handle(BankShift shift, LibrarySession session, StoredVoucher voucher) =>
        !shift.Bank.Master.Serves(voucher.AdmDivCode)
            ? shift.Bank.Library.Refuse(session, voucher.Id, shift.Bank.Clerk, UnknownDivision(voucher.AdmDivCode))
            : Table.TryGetValue((voucher.VtCode, voucher.IsReply), out var route)
            ? route.Handle(shift, session, voucher)
            : shift.Bank.Library.Refuse(session, voucher.Id, shift.Bank.Clerk, UnknownVoucherType(voucher.VtCode));

    /// <summary>What one outcome adds to the pass.</summary>
    public static BankPass Count(BankPass pass, StoredVoucher voucher, LibraryResult outcome) =>
        outcome.Ok && Table.TryGetValue((voucher.VtCode, voucher.IsReply), out var route)
            ? route.Count(pass, outcome)
            : pass with { Refused = pass.Refused + 1 };

    /// <summary>The reason a voucher with no row is refused with.</summary>
    public static string UnknownVoucherType(string vtCode) => BankRejection.UnknownVoucherType.Say($"代理银行不处理 {vtCode} 凭证");

    /// <summary>The reason a voucher of a division the bank does not serve is refused with.</summary>
    public static string UnknownDivision(string admDivCode) => BankRejection.UnknownDivision.Say($"本行不办理行政区划 {admDivCode} 的业务");
}
