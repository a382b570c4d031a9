using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;

namespace OpenTreasury.Business.Finance;

/// <summary>One line of an allocation (实拨): a budget unit × functional class and the amount.</summary>
public sealed record AllocationLine(string AgencyCode, string ExpFuncCode, Amount Amount);

/// <summary>An allocation order (实拨拨款): paid by PBOC from the treasury single account to <paramref name="Payee"/>.</summary>
public sealed record AllocationOrder(string VoucherNo, Payee Payee, IReadOnlyList<AllocationLine> Lines, string Summary);

/// <summary>An allocation refund (3208) Finance signed for, against the 5207 it refunds.</summary>
public sealed record AllocationRefund(string VoucherNo, string OriVoucherNo, Amount Amount, string Reason);

/// <summary>
/// 实拨: Finance enters (cz_lr) and approves (cz_sh) a 5207 实拨拨款凭证 to PBOC, which pays it from the
/// treasury single account and answers with its 回单, or returns (退回) it when the payment failed. A
/// returned 5207 is voided (作废) and may be reissued under a new number; the two are linked so the
/// chain can be read from either end. PBOC's 3208 实拨退款通知书 is signed for, linked to its 5207 and
/// booked, so the refunded amount can be allocated again.
/// </summary>
public sealed partial class FinanceDesk
{
    private const string AllocationVtCode = "5207";

    /// <summary>A budget unit's own account at its bank, as the payee of an allocation.</summary>
    public Payee UnitPayee(string agencyCode)
    {
        var unit = master.Unit(agencyCode);
        var bank = master.Bank(unit.BankCode);
        return new Payee(unit.AccountNo, unit.Name, bank.Name, bank.BankNo);
    }

    /// <summary>Enters, approves and sends a 5207 to PBOC in one transaction; a rerun carries on, never makes it twice.</summary>
    public LibraryResult IssueAllocation(AllocationOrder order, DateOnly vouDate)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Lines.Count == 0)
        {
            return LibraryResult.Refused(LibraryRejection.InvalidVoucher, $"the allocation {order.VoucherNo} has no lines");
        }

        var (entry, approval) = (signers.SignerFor(Entry), signers.SignerFor(Approval));
        using var session = library.Begin();
        var result = library.Issue(session, AllocationVoucher(order, vouDate), [PartyId.Pboc], entry, approval);
        library.Finish(session, result);
        return result;
    }

    /// <summary>Voids (作废) a 5207 PBOC returned, keeping PBOC's reason in the void's.</summary>
    public LibraryResult VoidAllocation(string voucherNo, string reason)
    {
        using var session = library.Begin();
        var result = VoidReturned(session, voucherNo, reason);
        library.Finish(session, result);
        return result;
    }

    /// <summary>
    /// Reissues a returned 5207 under <paramref name="newVoucherNo"/> (voiding it first if it is not yet),
    /// optionally to a corrected payee, and links the two in the same transaction. Asked again with the
    /// same numbers it carries the reissue on; a voucher already reissued under another number is refused.
    /// </summary>
    public LibraryResult ReissueAllocation(string returnedVoucherNo, string newVoucherNo, DateOnly vouDate, Payee? payee = null, string? reason = null)
    {
        var (entry, approval) = (signers.SignerFor(Entry), signers.SignerFor(Approval));
        using var session = library.Begin();
        var result = Reissue(session, returnedVoucherNo, newVoucherNo, vouDate, payee, reason, entry, approval);
        library.Finish(session, result);
        return result;
    }

    /// <summary>The allocation refunds (3208) booked against a 5207, oldest first.</summary>
    public IReadOnlyList<AllocationRefund> AllocationRefunds(string oriVoucherNo)
    {
        using var connection = library.Database.Connect();
        return [.. connection.Query<(string VoucherNo, string OriVoucherNo, long AmountFen, string Reason)>(
            "SELECT voucher_no, ori_voucher_no, amount_fen, reason FROM finance_allocation_refunds WHERE adm_div_code = @adm AND st_year = @year AND ori_voucher_no = @oriVoucherNo ORDER BY rowid",
            new { adm = master.AdmDivCode, year = master.StYear, oriVoucherNo })
            .Select(r => new AllocationRefund(r.VoucherNo, r.OriVoucherNo, new Amount(r.AmountFen), r.Reason))];
    }

    /// <summary>What may be allocated again out of a 5207: everything refunded of it (实拨退款).</summary>
    public Amount ReallocatableAmount(string oriVoucherNo) => Amount.Sum(AllocationRefunds(oriVoucherNo).Select(r => r.Amount));

    private LibraryResult Reissue(LibrarySession session, string returnedVoucherNo, string newVoucherNo, DateOnly vouDate, Payee? payee, string? reason, Node.People.Signer entry, Node.People.Signer approval)
    {
        var old = OwnAllocation(session, returnedVoucherNo);
        if (old is null)
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no 5207 {returnedVoucherNo} issued by {library.Party}");
        }

        if (VoucherLibrary.ReissuedAs(session, old.Id) is { } already)
        {
            var earlier = VoucherLibrary.Find(session, already)!;
            return earlier.VoucherNo == newVoucherNo
                ? library.Complete(session, earlier.Id, entry, approval)
                : LibraryResult.Refused(LibraryRejection.IllegalTransition, $"5207 {returnedVoucherNo} was already reissued as {earlier.VoucherNo}", old.Id);
        }

        if (old.State != "voided")
        {
            var voided = VoidReturned(session, returnedVoucherNo, reason ?? "重新开具");
            if (!voided.Ok)
            {
                return voided;
            }
        }

        var content = old.Content;
        var order = new AllocationOrder(
            newVoucherNo,
            payee ?? new Payee(content["PayeeAcctNo"]!, content["PayeeAcctName"]!, content["PayeeAcctBankName"] ?? string.Empty, content["PayeeAcctBankNo"] ?? string.Empty),
            [.. content.Details.Select(d => new AllocationLine(d["AgencyCode"]!, d["ExpFuncCode"]!, Amount.ParseWire(d["PayAmt"]!)))],
            content["PaySummaryName"] ?? string.Empty);
        var issued = library.Issue(session, AllocationVoucher(order, vouDate), [PartyId.Pboc], entry, approval, $"重开 {returnedVoucherNo}");
        if (!issued.Ok)
        {
            return issued;
        }

        VoucherLibrary.Link(session, old.Id, issued.VoucherId, VoucherLibrary.ReissueLink);
        session.Audit(Approval, "reissue", $"5207/{returnedVoucherNo}", $"reissued as {newVoucherNo}");
        return issued;
    }

    private LibraryResult VoidReturned(LibrarySession session, string voucherNo, string reason)
    {
        var voucher = OwnAllocation(session, voucherNo);
        if (voucher is null)
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no 5207 {voucherNo} issued by {library.Party}");
        }

        var pboc = session.Connection.QuerySingleOrDefault<(long Status, string? Reason)>(
            "SELECT status, reason FROM deliveries WHERE voucher_id = @id AND receiver = @receiver",
            new { id = voucher.Id, receiver = PartyId.Pboc.ToString() }, session.Transaction);
        if (pboc.Status != (long)VoucherStatus.Returned)
        {
            return LibraryResult.Refused(LibraryRejection.IllegalTransition,
                $"5207 {voucherNo} is {pboc.Status} at PBOC; only an allocation PBOC returned is voided here", voucher.Id);
        }

        return library.Void(session, voucher.Id, Approval, AllocationReason($"人民银行退回: {pboc.Reason}; 作废: {reason}"));
    }

    /// <summary>
    /// 3208 from PBOC: it must name (OriBillNo) a 5207 of ours PBOC paid, and refund no more than was
    /// paid less earlier refunds; then it is linked to that 5207, booked and signed for, in one
    /// transaction. A repeat of the same 3208 is answered by the library's inbox and never booked twice.
    /// </summary>
    private LibraryResult BookAllocationRefund(LibrarySession session, StoredVoucher notice)
    {
        var content = notice.Content;
        var oriNo = content["OriBillNo"] ?? string.Empty;
        var amount = Amount.ParseWire(content["PayAmt"]!);
        amount = amount.IsNegative ? -amount : amount; // Refunds travel negative [std]; the ledger keeps the size.
        var original = OwnAllocation(session, oriNo);
        var reply = original is null ? null : session.Connection.QueryFirstOrDefault<long?>(
            "SELECT id FROM vouchers WHERE origin = 'received' AND sender = @pboc AND vt_code = '5207' AND voucher_no = @oriNo AND flag = 1 ORDER BY version DESC LIMIT 1",
            new { pboc = PartyId.Pboc.ToString(), oriNo }, session.Transaction) is { } replyId ? VoucherLibrary.Find(session, replyId) : null;
        if (original is null || reply is null || amount.IsZero)
        {
            return library.Refuse(session, notice.Id, Entry, AllocationReason(original is null
                ? $"实拨退款通知书 {notice.VoucherNo} 的原拨款凭证 {oriNo} 不是本财政开具的 5207"
                : reply is null ? $"原拨款凭证 {oriNo} 尚未收到人民银行回单, 不能退款" : "退款金额为零"));
        }

        var paid = Amount.ParseWire(reply.Content["XPayAmt"] ?? reply.Content["PayAmt"]!);
        var refunded = new Amount(session.Connection.ExecuteScalar<long>(
            "SELECT COALESCE(SUM(amount_fen), 0) FROM finance_allocation_refunds WHERE adm_div_code = @adm AND st_year = @year AND ori_voucher_no = @oriNo",
            new { adm = notice.AdmDivCode, year = notice.StYear, oriNo }, session.Transaction));
        if (refunded + amount > paid)
        {
            return library.Refuse(session, notice.Id, Entry, AllocationReason($"退款 {amount.ToWire()} 超过原拨款凭证 {oriNo} 已付 {paid.ToWire()} 减已退 {refunded.ToWire()}"));
        }

        session.Connection.Execute(
            """
            INSERT INTO finance_allocation_refunds (adm_div_code, st_year, voucher_no, ori_voucher_no, refund_voucher_id, ori_voucher_id, amount_fen, reason, booked_at)
            VALUES (@adm, @year, @no, @oriNo, @refundId, @oriId, @fen, @reason, @now)
            """,
            new { adm = notice.AdmDivCode, year = notice.StYear, no = notice.VoucherNo, oriNo, refundId = notice.Id, oriId = original.Id, fen = amount.Fen, reason = content["Remark"] ?? string.Empty, now = session.NowText },
            session.Transaction);
        VoucherLibrary.Link(session, original.Id, notice.Id, VoucherLibrary.RefundLink);
        session.Audit(Entry, "allocation-refund", notice.Key.ToString(), $"{amount.ToWire()} refunded of 5207 {oriNo}; may be allocated again");
        return library.SignFor(session, notice.Id, Entry);
    }

    private StoredVoucher? OwnAllocation(LibrarySession session, string voucherNo) =>
        session.Connection.QueryFirstOrDefault<long?>(
            """
            SELECT id FROM vouchers WHERE origin = 'own' AND adm_div_code = @adm AND st_year = @year AND vt_code = '5207' AND voucher_no = @voucherNo AND flag = 0
            ORDER BY id LIMIT 1
            """,
            new { adm = master.AdmDivCode, year = master.StYear, voucherNo }, session.Transaction) is { } id
            ? VoucherLibrary.Find(session, id)
            : null;

    private static string AllocationReason(string reason) =>
        reason.Length <= Domain.Limits.ReasonLengthMax ? reason : reason[..(Domain.Limits.ReasonLengthMax - 1)] + "…";

    private Voucher AllocationVoucher(AllocationOrder order, DateOnly vouDate)
    {
        var total = Amount.Sum(order.Lines.Select(l => l.Amount));
        var units = order.Lines.Select(l => master.Unit(l.AgencyCode)).DistinctBy(u => u.AgencyCode).ToList();
        List<VoucherField> header =
        [
            .. master.VoucherHeader(AllocationVtCode, order.VoucherNo, Date(vouDate)),
            new("TreCode", master.TreCode),
            new("FinOrgCode", master.FinOrgCode),
            new("FundTypeCode", "1"),
            new("FundTypeName", "一般公共预算资金"),
            new("PayTypeCode", "91"),
            new("PayTypeName", "实拨"),
            new("ClearBankCode", "001"),
            new("ClearBankName", master.PbocName),
            new("PayeeAcctNo", order.Payee.AccountNo),
            new("PayeeAcctName", order.Payee.Name),
            new("PayeeAcctBankName", order.Payee.BankName),
            new("PayeeAcctBankNo", order.Payee.BankNo),
            new("PayAcctNo", master.TreasuryAccountNo),
            new("PayAcctName", $"{master.AdmDivName}国库单一账户"),
            new("PayAcctBankName", master.PbocName),
            new("PaySummaryName", order.Summary),
            new("PayAmt", total.ToWire()),
        ];
        if (units.Count == 1)
        {
            header.Add(new("AgencyCode", units[0].AgencyCode));
            header.Add(new("AgencyName", units[0].Name));
        }

        header.Add(new("BusinessTypeCode", order.Lines.Count == 1 ? "1" : "4"));
        header.Add(new("BusinessTypeName", order.Lines.Count == 1 ? "单笔" : "批量"));
        var details = order.Lines.Select((l, i) =>
        {
            var unit = master.Unit(l.AgencyCode);
            var functional = unit.Classes.Single(c => c.ExpFuncCode == l.ExpFuncCode);
            return new VoucherDetail(
            [
                new("Id", Text(i + 1)),
                new("VoucherBillId", order.VoucherNo),
                new("VoucherDetailNo", $"{order.VoucherNo}-{i + 1}"),
                .. unit.ClassFields(functional),
                new("PayeeAcctNo", order.Payee.AccountNo),
                new("PayeeAcctName", order.Payee.Name),
                new("PayeeAcctBankNo", order.Payee.BankNo),
                new("PayeeAcctBankName", order.Payee.BankName),
                new("PaySummaryName", order.Summary),
                new("PayAmt", l.Amount.ToWire()),
            ]);
        });
        return new Voucher(header, details);
    }
}
