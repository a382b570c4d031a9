using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Finance;

/// <summary>A 3208 allocated again: the new 5207 and its amount.</summary>
public sealed record Reallocation(string VoucherNo, string RefundVoucherNo, Amount Amount);

/// <summary>
/// 重新拨款: money a 3208 实拨退款通知书 brought back into the treasury is allocated again as a new 5207,
/// entered (cz_lr) and approved (cz_sh), linked to the 3208 (Hold1 and finance_reallocations), never for
/// more than the refund less what was allocated of it before. A rerun with the same number carries on.
/// </summary>
internal static class ReallocateRefund
{
    public static LibraryResult Handle(FinanceContext finance, string refundVoucherNo, AllocationOrder order, DateOnly vouDate)
    {
        ArgumentNullException.ThrowIfNull(order);
        var (entry, approval) = finance.LogInShift(FinanceAllocations.DivisionOf(finance, order).AdmDivCode);
        using var session = finance.Library.Begin();
        var result = Reallocate(finance, session, refundVoucherNo, order, vouDate, entry, approval);
        finance.Library.Finish(session, result);
        return result;
    }

    /// <summary>What was allocated again of a 3208, oldest first.</summary>
    public static IReadOnlyList<Reallocation> Of(FinanceContext finance, string refundVoucherNo)
    {
        using var connection = finance.Library.Database.Connect();
        return [.. connection.Query<(string VoucherNo, string Refund, long Fen)>(
            "SELECT voucher_no, refund_voucher_no, amount_fen FROM finance_reallocations WHERE st_year = @year AND refund_voucher_no = @refundVoucherNo ORDER BY recorded_at, voucher_no",
            new { year = finance.Master.StYear, refundVoucherNo })
            .Select(r => new Reallocation(r.VoucherNo, r.Refund, new Amount(r.Fen)))];
    }

    private static LibraryResult Reallocate(FinanceContext finance, LibrarySession session, string refundVoucherNo, AllocationOrder order, DateOnly vouDate, Signer entry, Signer approval)
    {
        // The refund and the new 5207 are of the division of the order's units.
        var adm = order.Lines.Count == 0 ? finance.Master.AdmDivCode : FinanceAllocations.DivisionOf(finance, order).AdmDivCode;
        var subject = $"5207/{adm}/{finance.Master.StYear}/{order.VoucherNo}";
        var key = new { adm, year = finance.Master.StYear, refund = refundVoucherNo, no = order.VoucherNo };
        var total = Amount.Sum(order.Lines.Select(l => l.Amount));

        // Load: the 3208 as Finance booked it, what was allocated of it before, and this number's earlier use.
        var refunded = session.Connection.ExecuteScalar<long?>(
            "SELECT amount_fen FROM finance_allocation_refunds WHERE adm_div_code = @adm AND st_year = @year AND voucher_no = @refund", key, session.Transaction);
        var earlier = session.Connection.QueryFirstOrDefault<(string Refund, long Fen)?>(
            "SELECT refund_voucher_no, amount_fen FROM finance_reallocations WHERE adm_div_code = @adm AND st_year = @year AND voucher_no = @no", key, session.Transaction);
        var used = session.Connection.ExecuteScalar<long>(
            "SELECT COALESCE(SUM(amount_fen), 0) FROM finance_reallocations WHERE adm_div_code = @adm AND st_year = @year AND refund_voucher_no = @refund", key, session.Transaction);

        // Decide.
        var refusal = order.Lines.Count == 0 ? (LibraryRejection.InvalidVoucher, $"重新拨款凭证 {order.VoucherNo} 没有明细")
            : refunded is null ? (LibraryRejection.NotFound, FinanceRejection.NotARefund.Say($"{refundVoucherNo} 不是本财政已登记的实拨退款通知书 (3208)"))
            : earlier is { } e && (e.Refund != refundVoucherNo || e.Fen != total.Fen)
                ? (LibraryRejection.DuplicateVoucherNo, $"5207 {order.VoucherNo} 已用于重新拨款 {e.Refund} 金额 {new Amount(e.Fen).ToWire()}")
            : earlier is null && used + total.Fen > refunded.Value
                ? (LibraryRejection.InvalidVoucher, FinanceRejection.ReallocationExceedsRefund.Say(
                    $"重新拨款 {total.ToWire()} 超过退款 {refundVoucherNo} 的余额 {new Amount(refunded.Value - used).ToWire()} (退款 {new Amount(refunded.Value).ToWire()}, 已重新拨款 {new Amount(used).ToWire()})"))
            : (LibraryRejection.None, string.Empty);
        if (refusal.Item1 != LibraryRejection.None)
        {
            session.AuditRefusal(entry.UserId, "reallocation-refused", subject, refusal.Item2);
            return LibraryResult.Refused(refusal.Item1, refusal.Item2);
        }

        // Record: the link and the new 5207, in one transaction.
        if (earlier is null)
        {
            session.Connection.Execute(
                """
                INSERT INTO finance_reallocations (adm_div_code, st_year, voucher_no, refund_voucher_no, amount_fen, entered_by, approved_by, recorded_at)
                VALUES (@adm, @year, @no, @refund, @fen, @entry, @approval, @now)
                """,
                new { key.adm, key.year, key.no, key.refund, fen = total.Fen, entry = entry.UserId, approval = approval.UserId, now = session.NowText }, session.Transaction);
            session.Audit(entry.UserId, "reallocation", subject, $"{total.ToWire()} of 3208 {refundVoucherNo} allocated again, approved by {approval.UserId}");
        }

        var voucher = FinanceAllocations.Voucher(finance, order, vouDate).With("Hold1", refundVoucherNo);
        return FinanceAllocations.NumberTakenElsewhere(finance, session, order) ?? finance.Library.Issue(session, voucher, [PartyId.Pboc], entry, approval);
    }
}
