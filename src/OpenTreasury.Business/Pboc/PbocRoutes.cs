using System.Collections.Frozen;
using OpenTreasury.Business.Pboc.Received;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Pboc;

/// <summary>
/// One row of PBOC's table: the use case that handles a received voucher, and what its outcome adds to the
/// pass (an outcome the library refused always counts as <see cref="PbocPass.Refused"/>).
/// </summary>
internal sealed record PbocRoute(Func<PbocShift, LibrarySession, StoredVoucher, LibraryResult> Handle, Func<PbocPass, LibraryResult, PbocPass> Count);

/// <summary>
/// PBOC's VtCode → handler table: (VtCode, is-回单) to the use case in <c>Received/</c>. A voucher not in
/// the table is refused (签收失败) with <see cref="PbocRejection.UnknownVoucherType"/>.
/// </summary>
internal static class PbocRoutes
{
    public static readonly FrozenDictionary<(string VtCode, bool IsReply), PbocRoute> Table = new Dictionary<(string VtCode, bool IsReply), PbocRoute>
    {
        [("5106", false)] = new(BookClearingQuota.Handle, (p, _) => p with { ClearingQuotaNotices = p.ClearingQuotaNotices + 1 }),                   // 授权支付汇总清算额度通知单
        [("5108", false)] = new(BookDirectClearingQuota.Handle, (p, _) => p with { DirectClearingQuotaNotices = p.DirectClearingQuotaNotices + 1 }), // 直接支付汇总清算额度通知单
        [("2301", false)] = new(ClearTransferRequest.Handle, ReturnedOr(p => p with { Cleared = p.Cleared + 1 })),                                   // 申请划款凭证
        [("5207", false)] = new(PayAllocation.Handle, ReturnedOr(p => p with { Cleared = p.Cleared + 1 })),                                          // 实拨拨款凭证 (returned: payment failed)
        [("2302", false)] = new(CreditRefund.Handle, ReturnedOr(p => p with { Refunds = p.Refunds + 1 })),                                           // 申请退款凭证
        [("5507", false)] = new(RecordClearingAnswer.Handle, (p, _) => p with { ClearingAnswers = p.ClearingAnswers + 1 }),                          // 清算信息对账回执 (财政)
        [("2507", false)] = new(RecordClearingAnswer.Handle, (p, _) => p with { ClearingAnswers = p.ClearingAnswers + 1 }),                          // 清算信息对账回执 (代理银行)
    }.ToFrozenDictionary();

    /// <summary>The handler of the voucher's row, or the refusal of a voucher PBOC does not handle or of a division it does not serve.</summary>
    public static LibraryResult Handle(PbocShift shift, LibrarySession session, StoredVoucher voucher) =>
        !shift.Pboc.Master.Serves(voucher.AdmDivCode)
            ? shift.Pboc.Library.Refuse(session, voucher.Id, PbocContext.Bookkeeper, UnknownDivision(voucher.AdmDivCode))
            : Table.TryGetValue((voucher.VtCode, voucher.IsReply), out var route)
            ? route.Handle(shift, session, voucher)
            : shift.Pboc.Library.Refuse(session, voucher.Id, PbocContext.Bookkeeper, UnknownVoucherType(voucher.VtCode));

    /// <summary>What one outcome adds to the pass.</summary>
    public static PbocPass Count(PbocPass pass, StoredVoucher voucher, LibraryResult outcome) =>
        outcome.Ok && Table.TryGetValue((voucher.VtCode, voucher.IsReply), out var route)
            ? route.Count(pass, outcome)
            : pass with { Refused = pass.Refused + 1 };

    /// <summary>The reason a voucher with no row is refused with.</summary>
    public static string UnknownVoucherType(string vtCode) => PbocRejection.UnknownVoucherType.Say($"人民银行国库不处理 {vtCode} 凭证");

    /// <summary>The reason a voucher of a division PBOC does not serve is refused with.</summary>
    public static string UnknownDivision(string admDivCode) => PbocRejection.UnknownDivision.Say($"本国库不办理行政区划 {admDivCode} 的业务");

    private static Func<PbocPass, LibraryResult, PbocPass> ReturnedOr(Func<PbocPass, PbocPass> done) =>
        (p, o) => o.Message == PbocContext.Returned ? p with { Returned = p.Returned + 1 } : done(p);
}
