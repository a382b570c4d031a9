using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Finance.Received;

/// <summary>
/// 3208 实拨退款通知书 from PBOC: it must name (OriBillNo) a 5207 of ours PBOC paid, and refund no more than
/// was paid less earlier refunds; then it is linked to that 5207, booked and signed for, in one
/// transaction, so the refunded amount can be allocated again. A repeat of the same 3208 is answered by
/// the library's inbox and never booked twice.
/// </summary>
internal static class BookAllocationRefund
{
    public static LibraryResult Handle(FinanceShift shift, LibrarySession session, StoredVoucher notice)
    {
        var library = shift.Finance.Library;
        var entry = shift.EntryOf(notice.AdmDivCode);
        // Load: the 5207 it names and PBOC's 回单 of it.
        var content = notice.Content;
        var oriNo = content["OriBillNo"] ?? string.Empty;
        var amount = Amount.ParseWire(content["PayAmt"]!);
        amount = amount.IsNegative ? -amount : amount; // Refunds travel negative [std]; the ledger keeps the size.
        var original = FinanceAllocations.Own(shift.Finance, session, oriNo);
        var reply = original is null ? null : session.Connection.QueryFirstOrDefault<long?>(
            "SELECT id FROM vouchers WHERE origin = 'received' AND sender = @pboc AND vt_code = '5207' AND voucher_no = @oriNo AND flag = 1 ORDER BY version DESC LIMIT 1",
            new { pboc = PartyId.Pboc.ToString(), oriNo }, session.Transaction) is { } replyId ? VoucherLibrary.Find(session, replyId) : null;
        // Decide: ours, paid, not zero, and within what was paid less earlier refunds.
        if (original is null || reply is null || amount.IsZero)
        {
            return library.Refuse(session, notice.Id, entry, FinanceAllocations.Reason(original is null
                ? FinanceRejection.NotOurAllocation.Say($"实拨退款通知书 {notice.VoucherNo} 的原拨款凭证 {oriNo} 不是本财政开具的 5207")
                : reply is null ? FinanceRejection.AllocationNotAnswered.Say($"原拨款凭证 {oriNo} 尚未收到人民银行回单, 不能退款") : FinanceRejection.RefundAmountZero.Say("退款金额为零")));
        }

        var paid = Amount.ParseWire(reply.Content["XPayAmt"] ?? reply.Content["PayAmt"]!);
        var refunded = new Amount(session.Connection.ExecuteScalar<long>(
            "SELECT COALESCE(SUM(amount_fen), 0) FROM finance_allocation_refunds WHERE adm_div_code = @adm AND st_year = @year AND ori_voucher_no = @oriNo",
            new { adm = notice.AdmDivCode, year = notice.StYear, oriNo }, session.Transaction));
        if (refunded + amount > paid)
        {
            return library.Refuse(session, notice.Id, entry, FinanceAllocations.Reason(FinanceRejection.RefundExceedsPaid.Say($"退款 {amount.ToWire()} 超过原拨款凭证 {oriNo} 已付 {paid.ToWire()} 减已退 {refunded.ToWire()}")));
        }

        // Record: booked, linked, audited, signed for.
        session.Connection.Execute(
            """
            INSERT INTO finance_allocation_refunds (adm_div_code, st_year, voucher_no, ori_voucher_no, refund_voucher_id, ori_voucher_id, amount_fen, reason, booked_at)
            VALUES (@adm, @year, @no, @oriNo, @refundId, @oriId, @fen, @reason, @now)
            """,
            new { adm = notice.AdmDivCode, year = notice.StYear, no = notice.VoucherNo, oriNo, refundId = notice.Id, oriId = original.Id, fen = amount.Fen, reason = content["Remark"] ?? string.Empty, now = session.NowText },
            session.Transaction);
        VoucherLibrary.Link(session, original.Id, notice.Id, VoucherLibrary.RefundLink);
        session.Audit(entry, "allocation-refund", notice.Key.ToString(), $"{amount.ToWire()} refunded of 5207 {oriNo}; may be allocated again");
        return library.SignFor(session, notice.Id, entry);
    }
}
