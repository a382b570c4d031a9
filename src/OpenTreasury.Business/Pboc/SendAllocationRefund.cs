using Dapper;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Pboc;

/// <summary>
/// 实拨退款: a 3208 实拨退款通知书 credits the treasury single account back with money returned on a paid
/// 5207, never more than was paid on it less earlier refunds, and tells Finance.
/// </summary>
internal static class SendAllocationRefund
{
    /// <summary>
    /// Sends a 3208 实拨退款通知书 to Finance for money returned on the paid 5207
    /// <paramref name="originalVoucherNo"/>: entered by the bookkeeper (rh_jz), approved by the reviewer
    /// (rh_fh), and the treasury account credited, in one transaction. Refused, changing nothing, when
    /// the 5207 was never paid here or the refund exceeds what was paid on it less earlier refunds. Asked
    /// again with the same refund number and amount it carries the first on and credits nothing twice.
    /// </summary>
    public static LibraryResult Handle(PbocContext pboc, Division division, string originalVoucherNo, Amount amount, string reason, string refundVoucherNo, DateOnly refundDate)
    {
        var bookkeeper = pboc.Signers.SignerFor(PbocContext.Bookkeeper);
        var reviewer = pboc.Signers.SignerFor(PbocContext.Reviewer);
        using var session = pboc.Library.Begin();
        var result = Refund(pboc, division, session, originalVoucherNo, amount, reason, refundVoucherNo, refundDate, bookkeeper, reviewer);
        pboc.Library.Finish(session, result);
        return result;
    }

    private static LibraryResult Refund(PbocContext pboc, Division division, LibrarySession session, string originalVoucherNo, Amount amount, string reason, string refundVoucherNo, DateOnly refundDate, Signer bookkeeper, Signer reviewer)
    {
        var subject = $"3208/{division.AdmDivCode}/{pboc.Master.StYear}/{refundVoucherNo}";
        var key = new { adm = division.AdmDivCode, year = pboc.Master.StYear, no = refundVoucherNo, ori = originalVoucherNo };
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

            var own = pboc.Library.FindOwn(session, new VoucherKey(
                Domain.Codes.AdmDivCode.Parse(division.AdmDivCode), new Domain.Codes.StYear(pboc.Master.StYear), Domain.Codes.VtCode.Parse("3208"), Domain.Codes.VoucherNo.Parse(refundVoucherNo)))!;
            return pboc.Library.Complete(session, own.Id, bookkeeper, reviewer);
        }

        var paid = session.Connection.QueryFirstOrDefault<(long VoucherId, long AmountFen, long RefundedFen, string PayDate, string BusinessNo)?>(
            "SELECT voucher_id, amount_fen, refunded_fen, pay_date, business_no FROM pboc_allocations WHERE adm_div_code = @adm AND st_year = @year AND voucher_no = @ori",
            key, session.Transaction);
        var refusal = paid is not { } p ? (LibraryRejection.NotFound, PbocRejection.RefundOfUnpaidAllocation.Say($"5207 {originalVoucherNo} was never paid from the treasury account"))
            : amount <= Amount.Zero ? (LibraryRejection.InvalidVoucher, PbocRejection.AmountNotPositive.Say($"a refund of {amount.ToWire()}"))
            : p.RefundedFen + amount.Fen > p.AmountFen ? (LibraryRejection.InvalidVoucher,
                PbocRejection.RefundExceedsPaid.Say($"{amount.ToWire()} is more than {new Amount(p.AmountFen).ToWire()} paid on 5207 {originalVoucherNo} less {new Amount(p.RefundedFen).ToWire()} refunded"))
            : (LibraryRejection.None, string.Empty);
        if (refusal.Item1 != LibraryRejection.None)
        {
            session.AuditRefusal(PbocContext.Bookkeeper, "allocation-refund-refused", subject, refusal.Item2);
            return LibraryResult.Refused(refusal.Item1, refusal.Item2);
        }

        var allocation = paid!.Value;
        var original = VoucherLibrary.Find(session, allocation.VoucherId)!.Content;
        var notice = RefundNotice(pboc, division, original, amount, reason, refundVoucherNo, refundDate, allocation.RefundedFen, allocation.PayDate, allocation.BusinessNo);
        session.Connection.Execute(
            "UPDATE pboc_allocations SET refunded_fen = refunded_fen + @fen WHERE adm_div_code = @adm AND st_year = @year AND voucher_no = @ori",
            new { fen = amount.Fen, key.adm, key.year, key.ori }, session.Transaction);
        TreasuryAccount.Move(session, division.AdmDivCode, pboc.Master.StYear, TreasuryMovementKind.AllocationRefund, subject, amount, refundDate);
        session.Connection.Execute(
            """
            INSERT INTO pboc_allocation_refunds (adm_div_code, st_year, voucher_no, ori_voucher_no, amount_fen, reason, refund_date)
            VALUES (@adm, @year, @no, @ori, @fen, @reason, @date)
            """,
            new { key.adm, key.year, key.no, key.ori, fen = amount.Fen, reason, date = PbocContext.Date(refundDate) }, session.Transaction);
        session.Audit(PbocContext.Bookkeeper, "allocation-refund", subject, $"{amount.ToWire()} of 5207 {originalVoucherNo} back into the treasury single account: {reason}");
        return pboc.Library.Issue(session, notice, [PartyId.Finance], bookkeeper, reviewer, reason);
    }

    /// <summary>
    /// The 3208: header from the original 5207 (the payee pays back into the treasury account); the
    /// refund, negative on the wire [std], is spread over the original's lines in order, after the
    /// part of them earlier refunds took, so the lines of all refunds never exceed the lines paid.
    /// </summary>
    private static Voucher RefundNotice(PbocContext pboc, Division division, Voucher original, Amount amount, string reason, string voucherNo, DateOnly refundDate, long refundedBefore, string payDate, string businessNo)
    {
        List<VoucherField> header =
        [
            .. division.VoucherHeader(pboc.Master.StYear, "3208", voucherNo, PbocContext.Date(refundDate)),
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
            new("PayeeAcctNo", original["PayAcctNo"] ?? division.TreasuryAccountNo),
            new("PayeeAcctName", original["PayAcctName"] ?? string.Empty),
            new("PayeeAcctBankName", pboc.Master.PbocName),
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
