using System.Globalization;
using Dapper;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Bank;

/// <summary>
/// 授权支付退款 and 直接支付退款 at the agent bank (domain guide §5), the bank's half: a payee returns money
/// paid on a cleared line of an 8202 or a 5201; the bank asks PBOC to take it back with a 2302
/// 申请退款凭证 (PayTypeCode 12 or 11, amounts negative). PBOC's 回单 is settled by
/// <see cref="Received.RecordRefund"/>.
/// </summary>
internal static class RefundPayment
{
    /// <summary>
    /// Books money returned on line <paramref name="originalLine"/> of the paid 8202 or 5201
    /// <paramref name="originalVoucherNo"/> and sends PBOC the 2302 申请退款凭证 for it, in one transaction.
    /// Refused, changing nothing, when the line was never paid here or is not yet cleared, or when this
    /// refund with the earlier ones of the line would exceed what was paid. Asked again with the same
    /// refund number, line and amount it carries the first 2302 on and books nothing twice.
    /// </summary>
    public static LibraryResult Handle(BankContext bank, Division division, string refundNo, string originalVoucherNo, int originalLine, Amount amount, string reason, DateOnly date)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(refundNo);
        ArgumentException.ThrowIfNullOrWhiteSpace(originalVoucherNo);
        var (clerk, reviewer) = (bank.Signers.SignerFor(bank.Clerk), bank.Signers.SignerFor(bank.Reviewer));
        using var session = bank.Library.Begin();
        ReleaseRefusedRefunds(bank, session);
        var result = Refund(bank, division, session, refundNo, originalVoucherNo, originalLine, amount, reason, date, clerk, reviewer);
        bank.Library.Finish(session, result);
        return result;
    }

    /// <summary>
    /// A 2302 PBOC returned or refused is voided and its refund cancelled, so the line's refundable amount
    /// comes back; the payee's money is then refunded under a new number.
    /// </summary>
    private static void ReleaseRefusedRefunds(BankContext bank, LibrarySession session)
    {
        var refused = session.Connection.Query<(long Id, string VoucherNo, string? Reason, string Adm)>(
            """
            SELECT v.id, v.voucher_no, d.reason, v.adm_div_code FROM vouchers v JOIN deliveries d ON d.voucher_id = v.id
            WHERE v.origin = 'own' AND v.vt_code = '2302' AND v.flag = 0 AND v.state = 'sent' AND d.status IN (@failed, @refused, @returned)
            """,
            new { failed = (int)Domain.Vouchers.VoucherStatus.ReceiveFailed, refused = (int)Domain.Vouchers.VoucherStatus.SignForFailed, returned = (int)Domain.Vouchers.VoucherStatus.Returned },
            session.Transaction).ToList();
        foreach (var (id, voucherNo, why, adm) in refused)
        {
            var reason = $"人民银行未受理: {why}";
            bank.Library.Void(session, id, bank.Reviewer, reason.Length <= Limits.ReasonLengthMax ? reason : reason[..Limits.ReasonLengthMax]).ThrowIfRefused();
            session.Connection.Execute(
                "UPDATE bank_refunds SET cancelled_reason = @reason WHERE adm_div_code = @adm AND st_year = @year AND refund_no = @no",
                new { reason, adm, year = bank.Master.StYear, no = voucherNo }, session.Transaction);
        }
    }

    private static LibraryResult Refund(BankContext bank, Division division, LibrarySession session, string refundNo, string originalVoucherNo, int originalLine, Amount amount, string reason, DateOnly date, Signer clerk, Signer reviewer)
    {
        // Load: an earlier booking of this refund number, the paid line, what was refunded of it before.
        var subject = $"2302/{division.AdmDivCode}/{bank.Master.StYear}/{refundNo}";
        var key = new { adm = division.AdmDivCode, year = bank.Master.StYear, no = refundNo, ori = originalVoucherNo, line = originalLine };
        var earlier = session.Connection.QueryFirstOrDefault<BankRefundRow>(
            $"{BankRefunds.SelectRefund} WHERE adm_div_code = @adm AND st_year = @year AND refund_no = @no", key, session.Transaction);
        if (earlier is not null)
        {
            // A rerun: carry the 2302 already booked on to sent; nothing is booked twice.
            if (earlier.OriVoucherNo != originalVoucherNo || earlier.OriLine != originalLine || earlier.AmountFen != amount.Fen)
            {
                return LibraryResult.Refused(LibraryRejection.DuplicateVoucherNo,
                    $"{subject} already refunds {new Amount(earlier.AmountFen).ToWire()} of {earlier.OriVoucherNo} line {earlier.OriLine}");
            }

            var own = bank.Library.FindOwn(session, RefundKey(bank, division, "2302", refundNo))!;
            return bank.Library.Complete(session, own.Id, clerk, reviewer);
        }

        var paid = session.Connection.QueryFirstOrDefault<PaidLine>(
            """
            SELECT '12' AS PayType, voucher_id AS VoucherId, agency_code AS AgencyCode, exp_func_code AS ExpFuncCode, amount_fen AS AmountFen,
                   pay_date AS PayDate, business_no AS BusinessNo, cleared_date AS ClearedDate
            FROM bank_payments WHERE adm_div_code = @adm AND st_year = @year AND voucher_no = @ori AND line = @line
            UNION ALL
            SELECT '11', voucher_id, agency_code, exp_func_code, amount_fen, pay_date, business_no, cleared_date
            FROM bank_direct_payments WHERE adm_div_code = @adm AND st_year = @year AND voucher_no = @ori AND line = @line
            ORDER BY 2 DESC
            """,
            key, session.Transaction);
        var refundedBefore = paid is null ? 0 : session.Connection.ExecuteScalar<long>(
            "SELECT COALESCE(SUM(amount_fen), 0) FROM bank_refunds WHERE ori_voucher_id = @id AND ori_line = @line AND cancelled_reason IS NULL",
            new { id = paid.VoucherId, line = originalLine }, session.Transaction);
        // Decide.
        var refusal =
            string.IsNullOrWhiteSpace(reason) || reason.Length > Limits.ReasonLengthMax ? (LibraryRejection.ReasonRequired, $"a refund needs a reason of 1–{Limits.ReasonLengthMax} characters")
            : !VoucherNo.TryParse(BankRefunds.NoticeNo(refundNo), out _) ? (LibraryRejection.InvalidVoucher, $"refund number '{refundNo}' is not a voucher number of at most 38 characters")
            : paid is null ? (LibraryRejection.NotFound, BankRejection.RefundOfUnpaidLine.Say($"{originalVoucherNo} line {originalLine} was never paid by bank {bank.Bank.BankCode}"))
            : paid.ClearedDate is null ? (LibraryRejection.IllegalTransition, BankRejection.RefundOfUnclearedLine.Say($"{originalVoucherNo} line {originalLine} is not yet cleared by PBOC"))
            : amount <= Amount.Zero ? (LibraryRejection.InvalidVoucher, BankRejection.AmountNotPositive.Say($"a refund of {amount.ToWire()}"))
            : refundedBefore + amount.Fen > paid.AmountFen ? (LibraryRejection.InvalidVoucher,
                BankRejection.RefundExceedsPaid.Say($"{amount.ToWire()} is more than {new Amount(paid.AmountFen).ToWire()} paid on {originalVoucherNo} line {originalLine} less {new Amount(refundedBefore).ToWire()} refunded"))
            : (LibraryRejection.None, string.Empty);
        if (refusal.Item1 != LibraryRejection.None)
        {
            session.AuditRefusal(bank.Clerk, "refund-refused", subject, refusal.Item2);
            return LibraryResult.Refused(refusal.Item1, refusal.Item2);
        }

        // Record: the refund, the audit entry, the 2302 to PBOC.
        var line = paid!;
        session.Connection.Execute(
            """
            INSERT INTO bank_refunds (adm_div_code, st_year, refund_no, pay_type, ori_voucher_id, ori_voucher_no, ori_line, agency_code, exp_func_code, amount_fen, reason, refund_date)
            VALUES (@adm, @year, @no, @type, @oriId, @ori, @line, @agency, @func, @fen, @reason, @date)
            """,
            new { key.adm, key.year, key.no, type = line.PayType, oriId = line.VoucherId, key.ori, key.line, agency = line.AgencyCode, func = line.ExpFuncCode, fen = amount.Fen, reason, date = BankContext.Date(date) },
            session.Transaction);
        session.Audit(bank.Clerk, "refund", subject, $"{amount.ToWire()} returned on {originalVoucherNo} line {originalLine} (PayTypeCode {line.PayType}): {reason}");
        return bank.Library.Issue(session, RefundRequest(bank, division, refundNo, date, line, originalVoucherNo, originalLine, amount, reason), [PartyId.Pboc], clerk, reviewer);
    }

    private static VoucherKey RefundKey(BankContext bank, Division division, string vtCode, string voucherNo) => new(
        AdmDivCode.Parse(division.AdmDivCode), new StYear(bank.Master.StYear), VtCode.Parse(vtCode), VoucherNo.Parse(voucherNo));

    private static Voucher RefundRequest(BankContext bank, Division division, string refundNo, DateOnly date, PaidLine line, string originalVoucherNo, int originalLine, Amount amount, string reason)
    {
        var negative = (-amount).ToWire();
        var unit = bank.Master.Unit(line.AgencyCode);
        var authorized = line.PayType == BankDesk.AuthorizedPayType;
        List<VoucherField> header =
        [
            .. division.VoucherHeader(bank.Master.StYear, "2302", refundNo, BankContext.Date(date)),
            new("TreCode", division.TreCode),
            new("FinOrgCode", division.FinOrgCode),
            new("FundTypeCode", "1"),
            new("FundTypeName", "一般公共预算资金"),
            new("PayTypeCode", line.PayType),
            new("PayTypeName", authorized ? "授权支付" : "直接支付"),
            new("AgentAcctNo", bank.Bank.ClearingAccountNo),
            new("AgentAcctName", $"{bank.Bank.Name}{(authorized ? "财政授权支付清算户" : "财政直接支付清算户")}"),
            new("AgentAcctBankName", bank.Bank.Name),
            new("ClearAcctNo", division.TreasuryAccountNo),
            new("ClearAcctName", division.TreasuryAccountName),
            new("ClearAcctBankName", bank.Master.PbocName),
            new("PayEntrustDate", BankContext.Date(date)),
            new("PayAmt", negative),
            new("PayBankName", bank.Bank.Name),
            new("PayBankNo", bank.Bank.BankNo),
            new("Remark", reason),
        ];
        VoucherDetail[] details =
        [
            new(
            [
                new("Id", "1"),
                new("VoucherNo", refundNo),
                new("OriVoucherNo", originalVoucherNo),
                new("OriVouDetailNo", originalLine.ToString(CultureInfo.InvariantCulture)),
                new("SupDepCode", unit.SupDepCode),
                new("AgencyCode", line.AgencyCode),
                new("AgencyName", unit.Name),
                new("ExpFuncCode", line.ExpFuncCode),
                new("ExpFuncName", unit.Classes.FirstOrDefault(c => c.ExpFuncCode == line.ExpFuncCode)?.ExpFuncName ?? string.Empty),
                new("PayAmt", negative),
                new("PaySummaryName", reason),
            ]),
        ];
        return new Voucher(header, details);
    }

    /// <summary>A paid line of an 8202 (<c>bank_payments</c>) or a 5201 (<c>bank_direct_payments</c>).</summary>
    private sealed class PaidLine
    {
        public string PayType { get; init; } = string.Empty;

        public long VoucherId { get; init; }

        public string AgencyCode { get; init; } = string.Empty;

        public string ExpFuncCode { get; init; } = string.Empty;

        public long AmountFen { get; init; }

        public string PayDate { get; init; } = string.Empty;

        public string BusinessNo { get; init; } = string.Empty;

        public string? ClearedDate { get; init; }
    }
}
