using Dapper;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Pboc;

/// <summary>
/// 实拨 at PBOC: the treasury single account (国库单一账户) pays each 5207 Finance sends and answers with
/// the stamped 回单 (XPayAmt, XPayDate, XAgentBusinessNo), or returns (退回) it with the reason when the
/// payment fails: the account would go below zero, or the payee's bank refuses (our stand-in: a payee
/// account number ending in "0000" is a closed account). A 3208 实拨退款通知书 credits the account back
/// with money returned on a paid 5207, never more than was paid on it less earlier refunds.
/// </summary>
public sealed partial class PbocDesk
{
    /// <summary>Our stand-in for the payee bank's refusal: an account number ending so is closed (已销户).</summary>
    public const string ClosedAccountSuffix = "0000";

    /// <summary>Books the opening balance of the treasury single account for the network's division and year, once.</summary>
    public LibraryResult OpenTreasuryAccount(Amount amount) => library.Run(session =>
    {
        var subject = $"treasury/{master.AdmDivCode}/{master.StYear}";
        if (amount.IsNegative)
        {
            return LibraryResult.Refused(LibraryRejection.InvalidVoucher, $"an opening balance of {amount.ToWire()} is negative");
        }

        var opened = session.Connection.Execute(
            """
            INSERT INTO pboc_treasury (adm_div_code, st_year, opening_fen, balance_fen, opened_at) VALUES (@adm, @year, @fen, @fen, @now)
            ON CONFLICT (adm_div_code, st_year) DO NOTHING
            """,
            new { adm = master.AdmDivCode, year = master.StYear, fen = amount.Fen, now = session.NowText }, session.Transaction);
        if (opened == 0)
        {
            session.AuditRefusal(Reviewer, "open-treasury-refused", subject, "the treasury account is already open");
            return LibraryResult.Refused(LibraryRejection.IllegalTransition, $"the treasury account of {master.AdmDivCode}/{master.StYear} is already open");
        }

        session.Audit(Reviewer, "open-treasury", subject, $"opening balance {amount.ToWire()}");
        return LibraryResult.Done(0);
    });

    /// <summary>The balance of the treasury single account (zero when it was never opened).</summary>
    public Amount TreasuryBalance()
    {
        using var connection = library.Database.Connect();
        return new Amount(connection.ExecuteScalar<long?>(
            "SELECT balance_fen FROM pboc_treasury WHERE adm_div_code = @adm AND st_year = @year",
            new { adm = master.AdmDivCode, year = master.StYear }) ?? 0);
    }

    /// <summary>
    /// Sends a 3208 实拨退款通知书 to Finance for money returned on the paid 5207
    /// <paramref name="originalVoucherNo"/>: entered by the bookkeeper (rh_jz), approved by the reviewer
    /// (rh_fh), and the treasury account credited, in one transaction. Refused, changing nothing, when
    /// the 5207 was never paid here or the refund exceeds what was paid on it less earlier refunds. Asked
    /// again with the same refund number and amount it carries the first on and credits nothing twice.
    /// </summary>
    public LibraryResult SendAllocationRefund(string originalVoucherNo, Amount amount, string reason, string refundVoucherNo, DateOnly refundDate)
    {
        var bookkeeper = signers.SignerFor(Bookkeeper);
        var reviewer = signers.SignerFor(Reviewer);
        using var session = library.Begin();
        var result = Refund(session, originalVoucherNo, amount, reason, refundVoucherNo, refundDate, bookkeeper, reviewer);
        library.Finish(session, result);
        return result;
    }

    /// <summary>5207: pay from the treasury account and answer with the 回单, or return it with the reason.</summary>
    private LibraryResult Allocate(LibrarySession session, StoredVoucher order, DateOnly businessDate, Signer bookkeeper, Signer reviewer)
    {
        var content = order.Content;
        var total = Amount.ParseWire(content["PayAmt"]!);
        var key = new { adm = order.AdmDivCode, year = order.StYear, no = order.VoucherNo };
        var balance = session.Connection.ExecuteScalar<long?>(
            "SELECT balance_fen FROM pboc_treasury WHERE adm_div_code = @adm AND st_year = @year", key, session.Transaction);
        var closed = new[] { content["PayeeAcctNo"] }.Concat(content.Details.Select(d => d["PayeeAcctNo"]))
            .FirstOrDefault(a => a is not null && a.EndsWith(ClosedAccountSuffix, StringComparison.Ordinal));
        var failure =
            session.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM pboc_allocations WHERE adm_div_code = @adm AND st_year = @year AND voucher_no = @no", key, session.Transaction) > 0
                ? $"DuplicateVoucherNo: 拨款凭证 {order.VoucherNo} 已支付"
            : content["PayTypeCode"] != "91" ? $"WrongPayType: 支付方式 {content["PayTypeCode"]} 不是实拨(91)"
            : closed is not null ? $"PayeeBankRefused: 收款行拒绝入账, 收款账户 {closed} 已销户"
            : balance is null ? $"TreasuryAccountNotOpen: {order.AdmDivCode}/{order.StYear} 国库单一账户未开立"
            : balance.Value < total.Fen ? $"InsufficientTreasuryBalance: 国库单一账户余额 {new Amount(balance.Value).ToWire()} 不足支付 {total.ToWire()}"
            : null;
        if (failure is not null)
        {
            var returned = library.Return(session, order.Id, Bookkeeper, failure);
            return returned.Ok ? returned with { Message = Returned } : returned;
        }

        var seq = session.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM pboc_allocations", transaction: session.Transaction) + 1;
        var businessNo = $"SB{Date(businessDate)}{seq:D6}";
        session.Connection.Execute(
            "UPDATE pboc_treasury SET balance_fen = balance_fen - @fen WHERE adm_div_code = @adm AND st_year = @year",
            new { fen = total.Fen, key.adm, key.year }, session.Transaction);
        session.Connection.Execute(
            """
            INSERT INTO pboc_allocations (adm_div_code, st_year, voucher_no, voucher_id, amount_fen, pay_date, business_no)
            VALUES (@adm, @year, @no, @id, @fen, @date, @businessNo)
            """,
            new { key.adm, key.year, key.no, id = order.Id, fen = total.Fen, date = Date(businessDate), businessNo }, session.Transaction);
        session.Audit(Bookkeeper, "allocate", order.Key.ToString(), $"{total.ToWire()} from the treasury single account to {content["PayeeAcctName"]} ({businessNo})");
        var date = Date(businessDate);
        return library.Reply(session, order.Id, bookkeeper, reviewer,
            v => v.With("XPayAmt", total.ToWire()).With("XPayDate", date).With("XAgentBusinessNo", businessNo)
                .WithDetails(v.Details.Select(d => d.With("XPayAmt", d["PayAmt"]!).With("XPayDate", date).With("XAgentBusinessNo", businessNo))),
            []);
    }

    private LibraryResult Refund(LibrarySession session, string originalVoucherNo, Amount amount, string reason, string refundVoucherNo, DateOnly refundDate, Signer bookkeeper, Signer reviewer)
    {
        var subject = $"3208/{master.AdmDivCode}/{master.StYear}/{refundVoucherNo}";
        var key = new { adm = master.AdmDivCode, year = master.StYear, no = refundVoucherNo, ori = originalVoucherNo };
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > Limits.ReasonLengthMax)
        {
            return LibraryResult.Refused(LibraryRejection.ReasonRequired, $"a refund needs a reason of 1–{Limits.ReasonLengthMax} characters");
        }

        var earlier = session.Connection.QueryFirstOrDefault<(string Ori, long Fen)?>(
            "SELECT ori_voucher_no, amount_fen FROM pboc_allocation_refunds WHERE adm_div_code = @adm AND st_year = @year AND voucher_no = @no", key, session.Transaction);
        if (earlier is { } done)
        {
            // A rerun: carry the 3208 already booked on to sent; the account was credited once, then.
            if (done.Ori != originalVoucherNo || done.Fen != amount.Fen)
            {
                return LibraryResult.Refused(LibraryRejection.DuplicateVoucherNo, $"{subject} already refunds {new Amount(done.Fen).ToWire()} of 5207 {done.Ori}");
            }

            var own = library.FindOwn(session, new VoucherKey(
                Domain.Codes.AdmDivCode.Parse(master.AdmDivCode), new Domain.Codes.StYear(master.StYear), Domain.Codes.VtCode.Parse("3208"), Domain.Codes.VoucherNo.Parse(refundVoucherNo)))!;
            return library.Complete(session, own.Id, bookkeeper, reviewer);
        }

        var paid = session.Connection.QueryFirstOrDefault<(long VoucherId, long AmountFen, long RefundedFen, string PayDate, string BusinessNo)?>(
            "SELECT voucher_id, amount_fen, refunded_fen, pay_date, business_no FROM pboc_allocations WHERE adm_div_code = @adm AND st_year = @year AND voucher_no = @ori",
            key, session.Transaction);
        var refusal = paid is not { } p ? (LibraryRejection.NotFound, $"RefundOfUnpaidAllocation: 5207 {originalVoucherNo} was never paid from the treasury account")
            : amount <= Amount.Zero ? (LibraryRejection.InvalidVoucher, $"AmountNotPositive: a refund of {amount.ToWire()}")
            : p.RefundedFen + amount.Fen > p.AmountFen ? (LibraryRejection.InvalidVoucher,
                $"RefundExceedsPaid: {amount.ToWire()} is more than {new Amount(p.AmountFen).ToWire()} paid on 5207 {originalVoucherNo} less {new Amount(p.RefundedFen).ToWire()} refunded")
            : (LibraryRejection.None, string.Empty);
        if (refusal.Item1 != LibraryRejection.None)
        {
            session.AuditRefusal(Bookkeeper, "allocation-refund-refused", subject, refusal.Item2);
            return LibraryResult.Refused(refusal.Item1, refusal.Item2);
        }

        var allocation = paid!.Value;
        var original = VoucherLibrary.Find(session, allocation.VoucherId)!.Content;
        var notice = RefundNotice(original, amount, reason, refundVoucherNo, refundDate, allocation.RefundedFen, allocation.PayDate, allocation.BusinessNo);
        session.Connection.Execute(
            "UPDATE pboc_allocations SET refunded_fen = refunded_fen + @fen WHERE adm_div_code = @adm AND st_year = @year AND voucher_no = @ori",
            new { fen = amount.Fen, key.adm, key.year, key.ori }, session.Transaction);
        session.Connection.Execute(
            "UPDATE pboc_treasury SET balance_fen = balance_fen + @fen WHERE adm_div_code = @adm AND st_year = @year",
            new { fen = amount.Fen, key.adm, key.year }, session.Transaction);
        session.Connection.Execute(
            """
            INSERT INTO pboc_allocation_refunds (adm_div_code, st_year, voucher_no, ori_voucher_no, amount_fen, reason, refund_date)
            VALUES (@adm, @year, @no, @ori, @fen, @reason, @date)
            """,
            new { key.adm, key.year, key.no, key.ori, fen = amount.Fen, reason, date = Date(refundDate) }, session.Transaction);
        session.Audit(Bookkeeper, "allocation-refund", subject, $"{amount.ToWire()} of 5207 {originalVoucherNo} back into the treasury single account: {reason}");
        return library.Issue(session, notice, [PartyId.Finance], bookkeeper, reviewer, reason);
    }

    /// <summary>
    /// The 3208: header from the original 5207 (the payee pays back into the treasury account); the
    /// refund, negative on the wire [std], is spread over the original's lines in order, after the
    /// part of them earlier refunds took, so the lines of all refunds never exceed the lines paid.
    /// </summary>
    private Voucher RefundNotice(Voucher original, Amount amount, string reason, string voucherNo, DateOnly refundDate, long refundedBefore, string payDate, string businessNo)
    {
        List<VoucherField> header =
        [
            .. master.VoucherHeader("3208", voucherNo, Date(refundDate)),
            new("AgentBusinessNo", businessNo),
            new("OriBillNo", original["VoucherNo"]!),
            new("OriVouDate", original["VouDate"]!),
            new("OriPayDate", payDate),
            new("FundTypeCode", original["FundTypeCode"] ?? "1"),
            new("FundTypeName", original["FundTypeName"] ?? string.Empty),
            new("PayTypeCode", "91"),
            new("PayTypeName", "实拨"),
        ];
        if (original["AgencyCode"] is { } agency)
        {
            header.Add(new("AgencyCode", agency));
            header.Add(new("AgencyName", original["AgencyName"] ?? string.Empty));
        }

        header.AddRange(
        [
            new("PayAcctNo", original["PayeeAcctNo"]!),
            new("PayAcctName", original["PayeeAcctName"]!),
            new("PayAcctBankName", original["PayeeAcctBankName"] ?? string.Empty),
            new("PayeeAcctNo", original["PayAcctNo"] ?? master.TreasuryAccountNo),
            new("PayeeAcctName", original["PayAcctName"] ?? string.Empty),
            new("PayeeAcctBankName", master.PbocName),
            new("Remark", reason),
            new("PayAmt", (-amount).ToWire()),
        ]);

        var details = new List<VoucherDetail>();
        var (start, end, cumulative) = (refundedBefore, refundedBefore + amount.Fen, 0L);
        foreach (var line in original.Details)
        {
            var fen = Amount.ParseWire(line["PayAmt"]!).Fen;
            var take = Math.Min(end, cumulative + fen) - Math.Max(start, cumulative);
            cumulative += fen;
            if (take <= 0)
            {
                continue;
            }

            details.Add(new VoucherDetail(
            [
                new("Id", (details.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("VoucherBillId", voucherNo),
                new("AgencyCode", line["AgencyCode"] ?? string.Empty),
                new("AgencyName", line["AgencyName"] ?? string.Empty),
                new("PayeeAcctNo", line["PayeeAcctNo"] ?? original["PayeeAcctNo"]!),
                new("PayeeAcctName", line["PayeeAcctName"] ?? original["PayeeAcctName"]!),
                new("ExpFuncCode", line["ExpFuncCode"]!),
                new("ExpFuncName", line["ExpFuncName"] ?? string.Empty),
                new("ExpEcoCode", line["ExpEcoCode"] ?? string.Empty),
                new("ExpEcoName", line["ExpEcoName"] ?? string.Empty),
                new("Amt", (-new Amount(take)).ToWire()),
                new("VoucherDetailNo", line["VoucherDetailNo"] ?? line["Id"] ?? string.Empty),
            ]));
        }

        return new Voucher(header, details);
    }
}
