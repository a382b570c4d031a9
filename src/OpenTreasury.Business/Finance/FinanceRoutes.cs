using System.Collections.Frozen;
using OpenTreasury.Business.Finance.Received;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Finance;

/// <summary>
/// One row of Finance's table: the use case that handles a received voucher, and what its outcome adds to
/// the pass (an outcome the library refused always counts as <see cref="FinancePass.Other"/>).
/// </summary>
internal sealed record FinanceRoute(Func<FinanceShift, LibrarySession, StoredVoucher, LibraryResult> Handle, Func<FinancePass, FinancePass> Count);

/// <summary>
/// Finance's VtCode → handler table: (VtCode, is-回单) to the use case in <c>Received/</c>. A voucher not in
/// the table is refused (签收失败) with <see cref="FinanceRejection.UnknownVoucherType"/>.
/// </summary>
internal static class FinanceRoutes
{
    public static readonly FrozenDictionary<(string VtCode, bool IsReply), FinanceRoute> Table = new Dictionary<(string VtCode, bool IsReply), FinanceRoute>
    {
        [("2105", false)] = new(SignForBooks.Handle, p => p with { ArrivalNotices = p.ArrivalNotices + 1 }),                  // 额度到账通知书
        [("5106", true)] = new(SignForBooks.Handle, p => p with { ClearingReceipts = p.ClearingReceipts + 1 }),               // 授权支付汇总清算额度通知单回单
        [("2301", true)] = new(SignForBooks.Handle, p => p with { ClearingReceipts = p.ClearingReceipts + 1 }),               // 申请划款凭证回单
        [("2207", false)] = new(SignForBooks.Handle, p => p with { DailyReports = p.DailyReports + 1 }),                      // 授权支付日报表
        // 直接支付.
        [("5201", true)] = new(SignForBooks.Handle, p => p with { DirectPaymentReceipts = p.DirectPaymentReceipts + 1 }),     // 直接支付凭证回单
        [("5108", true)] = new(SignForBooks.Handle, p => p with { ClearingReceipts = p.ClearingReceipts + 1 }),               // 直接支付汇总清算额度通知单回单
        [("2209", false)] = new(SignForBooks.Handle, p => p with { CreditNotices = p.CreditNotices + 1 }),                    // 直接支付入账通知书
        [("2206", false)] = new(SignForBooks.Handle, p => p with { DailyReports = p.DailyReports + 1 }),                      // 直接支付日报表
        // 实拨.
        [("5207", true)] = new(SignForBooks.Handle, p => p with { ClearingReceipts = p.ClearingReceipts + 1 }),               // 实拨拨款凭证回单: PBOC paid it
        [("3208", false)] = new(BookAllocationRefund.Handle, p => p with { Other = p.Other + 1 }),                            // 实拨退款通知书
        // 退款.
        [("2302", true)] = new(SignForBooks.Handle, p => p with { Refunds = p.Refunds + 1 }),                                 // 申请退款凭证回单
        [("2203", false)] = new(SignForBooks.Handle, p => p with { Refunds = p.Refunds + 1 }),                                // 直接支付退款通知书
        [("2204", false)] = new(SignForBooks.Handle, p => p with { Refunds = p.Refunds + 1 }),                                // 授权支付退款通知书
        [("2208", false)] = new(SignForBooks.Handle, p => p with { Refunds = p.Refunds + 1 }),                                // 授权支付退款日报表
        // 对账.
        [("3501", false)] = new(CheckVoucherStatement.Handle, p => p with { VoucherStatements = p.VoucherStatements + 1 }),   // 凭证对账单
        [("4004", false)] = new(CheckVoucherStatement.Handle, p => p with { VoucherStatements = p.VoucherStatements + 1 }),   // 支付对账单
        [("3507", false)] = new(AnswerClearingStatement.Handle, p => p with { ClearingStatements = p.ClearingStatements + 1 }), // 清算信息对账单
    }.ToFrozenDictionary();

    /// <summary>The handler of the voucher's row, or the refusal of a voucher Finance does not handle or of a division it does not serve.</summary>
    public static LibraryResult Handle(FinanceShift shift, LibrarySession session, StoredVoucher voucher) =>
        !shift.Finance.Master.Serves(voucher.AdmDivCode)
            ? shift.Finance.Library.Refuse(session, voucher.Id, FinanceContext.Entry, UnknownDivision(voucher.AdmDivCode))
            : Table.TryGetValue((voucher.VtCode, voucher.IsReply), out var route)
            ? route.Handle(shift, session, voucher)
            : shift.Finance.Library.Refuse(session, voucher.Id, FinanceContext.Entry, UnknownVoucherType(voucher.VtCode));

    /// <summary>What one outcome adds to the pass.</summary>
    public static FinancePass Count(FinancePass pass, StoredVoucher voucher, LibraryResult outcome) =>
        outcome.Ok && Table.TryGetValue((voucher.VtCode, voucher.IsReply), out var route)
            ? route.Count(pass)
            : pass with { Other = pass.Other + 1 };

    /// <summary>The reason a voucher with no row is refused with.</summary>
    public static string UnknownVoucherType(string vtCode) => FinanceRejection.UnknownVoucherType.Say($"财政不处理 {vtCode} 凭证");

    /// <summary>The reason a voucher of a division Finance does not serve is refused with.</summary>
    public static string UnknownDivision(string admDivCode) => FinanceRejection.UnknownDivision.Say($"本财政不办理行政区划 {admDivCode} 的业务");
}
