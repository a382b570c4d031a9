using System.Globalization;
using Dapper;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Bank;

/// <summary>
/// 授权支付退款 and 直接支付退款 at the agent bank (domain guide §5): a payee returns money paid on a
/// cleared line of an 8202 or a 5201; the bank asks PBOC to take it back with a 2302 (PayTypeCode 12 or
/// 11, amounts negative). Only when PBOC's 回单 arrives (the treasury has been credited) does the bank
/// restore the unit's quota (12) and tell Finance: 2204 and 2208 for 12, 2203 for 11.
/// </summary>
public sealed partial class BankDesk
{
    /// <summary>PayTypeCode of 授权支付 on 2301/2302 (11 is 直接支付).</summary>
    public const string AuthorizedPayType = "12";

    /// <summary>
    /// Books money returned on line <paramref name="originalLine"/> of the paid 8202 or 5201
    /// <paramref name="originalVoucherNo"/> and sends PBOC the 2302 申请退款凭证 for it, in one transaction.
    /// Refused, changing nothing, when the line was never paid here or is not yet cleared, or when this
    /// refund with the earlier ones of the line would exceed what was paid. Asked again with the same
    /// refund number, line and amount it carries the first 2302 on and books nothing twice.
    /// </summary>
    public LibraryResult RefundPayment(string refundNo, string originalVoucherNo, int originalLine, Amount amount, string reason, DateOnly date)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(refundNo);
        ArgumentException.ThrowIfNullOrWhiteSpace(originalVoucherNo);
        var (clerk, reviewer) = (signers.SignerFor(Clerk), signers.SignerFor(Reviewer));
        using var session = library.Begin();
        ReleaseRefusedRefunds(session);
        var result = Refund(session, refundNo, originalVoucherNo, originalLine, amount, reason, date, clerk, reviewer);
        library.Finish(session, result);
        return result;
    }

    /// <summary>
    /// A 2302 PBOC returned or refused is voided and its refund cancelled, so the line's refundable amount
    /// comes back; the payee's money is then refunded under a new number.
    /// </summary>
    private void ReleaseRefusedRefunds(LibrarySession session)
    {
        var refused = session.Connection.Query<(long Id, string VoucherNo, string? Reason)>(
            """
            SELECT v.id, v.voucher_no, d.reason FROM vouchers v JOIN deliveries d ON d.voucher_id = v.id
            WHERE v.origin = 'own' AND v.vt_code = '2302' AND v.flag = 0 AND v.state = 'sent' AND d.status IN (@failed, @refused, @returned)
            """,
            new { failed = (int)Domain.Vouchers.VoucherStatus.ReceiveFailed, refused = (int)Domain.Vouchers.VoucherStatus.SignForFailed, returned = (int)Domain.Vouchers.VoucherStatus.Returned },
            session.Transaction).ToList();
        foreach (var (id, voucherNo, why) in refused)
        {
            var reason = $"人民银行未受理: {why}";
            library.Void(session, id, Reviewer, reason.Length <= Limits.ReasonLengthMax ? reason : reason[..Limits.ReasonLengthMax]).ThrowIfRefused();
            session.Connection.Execute(
                "UPDATE bank_refunds SET cancelled_reason = @reason WHERE adm_div_code = @adm AND st_year = @year AND refund_no = @no",
                new { reason, adm = master.AdmDivCode, year = master.StYear, no = voucherNo }, session.Transaction);
        }
    }

    private LibraryResult Refund(LibrarySession session, string refundNo, string originalVoucherNo, int originalLine, Amount amount, string reason, DateOnly date, Signer clerk, Signer reviewer)
    {
        var subject = $"2302/{master.AdmDivCode}/{master.StYear}/{refundNo}";
        var key = new { adm = master.AdmDivCode, year = master.StYear, no = refundNo, ori = originalVoucherNo, line = originalLine };
        var earlier = session.Connection.QueryFirstOrDefault<BankRefundRow>(
            $"{SelectRefund} WHERE adm_div_code = @adm AND st_year = @year AND refund_no = @no", key, session.Transaction);
        if (earlier is not null)
        {
            // A rerun: carry the 2302 already booked on to sent; nothing is booked twice.
            if (earlier.OriVoucherNo != originalVoucherNo || earlier.OriLine != originalLine || earlier.AmountFen != amount.Fen)
            {
                return LibraryResult.Refused(LibraryRejection.DuplicateVoucherNo,
                    $"{subject} already refunds {new Amount(earlier.AmountFen).ToWire()} of {earlier.OriVoucherNo} line {earlier.OriLine}");
            }

            var own = library.FindOwn(session, RefundKey("2302", refundNo))!;
            return library.Complete(session, own.Id, clerk, reviewer);
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
        var refusal =
            string.IsNullOrWhiteSpace(reason) || reason.Length > Limits.ReasonLengthMax ? (LibraryRejection.ReasonRequired, $"a refund needs a reason of 1–{Limits.ReasonLengthMax} characters")
            : !VoucherNo.TryParse(NoticeNo(refundNo), out _) ? (LibraryRejection.InvalidVoucher, $"refund number '{refundNo}' is not a voucher number of at most 38 characters")
            : paid is null ? (LibraryRejection.NotFound, $"RefundOfUnpaidLine: {originalVoucherNo} line {originalLine} was never paid by bank {_bank.BankCode}")
            : paid.ClearedDate is null ? (LibraryRejection.IllegalTransition, $"RefundOfUnclearedLine: {originalVoucherNo} line {originalLine} is not yet cleared by PBOC")
            : amount <= Amount.Zero ? (LibraryRejection.InvalidVoucher, $"AmountNotPositive: a refund of {amount.ToWire()}")
            : refundedBefore + amount.Fen > paid.AmountFen ? (LibraryRejection.InvalidVoucher,
                $"RefundExceedsPaid: {amount.ToWire()} is more than {new Amount(paid.AmountFen).ToWire()} paid on {originalVoucherNo} line {originalLine} less {new Amount(refundedBefore).ToWire()} refunded")
            : (LibraryRejection.None, string.Empty);
        if (refusal.Item1 != LibraryRejection.None)
        {
            session.AuditRefusal(Clerk, "refund-refused", subject, refusal.Item2);
            return LibraryResult.Refused(refusal.Item1, refusal.Item2);
        }

        var line = paid!;
        session.Connection.Execute(
            """
            INSERT INTO bank_refunds (adm_div_code, st_year, refund_no, pay_type, ori_voucher_id, ori_voucher_no, ori_line, agency_code, exp_func_code, amount_fen, reason, refund_date)
            VALUES (@adm, @year, @no, @type, @oriId, @ori, @line, @agency, @func, @fen, @reason, @date)
            """,
            new { key.adm, key.year, key.no, type = line.PayType, oriId = line.VoucherId, key.ori, key.line, agency = line.AgencyCode, func = line.ExpFuncCode, fen = amount.Fen, reason, date = Date(date) },
            session.Transaction);
        session.Audit(Clerk, "refund", subject, $"{amount.ToWire()} returned on {originalVoucherNo} line {originalLine} (PayTypeCode {line.PayType}): {reason}");
        return library.Issue(session, RefundRequest(refundNo, date, line, originalVoucherNo, originalLine, amount, reason), [PartyId.Pboc], clerk, reviewer);
    }

    /// <summary>
    /// PBOC's 回单 of a 2302: the treasury took the money back. For 授权支付 the unit's quota is restored
    /// now, and Finance gets the 2204 (the unit reads it) and the 2208; for 直接支付 the 2203.
    /// All in the transaction that signs for the 回单.
    /// </summary>
    private LibraryResult RecordRefund(LibrarySession session, StoredVoucher receipt, Signer clerk, Signer reviewer)
    {
        var refund = session.Connection.QueryFirstOrDefault<BankRefundRow>(
            $"{SelectRefund} WHERE adm_div_code = @adm AND st_year = @year AND refund_no = @no",
            new { adm = receipt.AdmDivCode, year = receipt.StYear, no = receipt.VoucherNo }, session.Transaction);
        if (refund is null)
        {
            return library.Refuse(session, receipt.Id, Clerk, $"本行无退款 {receipt.VoucherNo}");
        }

        if (refund.CreditedDate is not null)
        {
            return library.SignFor(session, receipt.Id, Clerk); // Credited once already; nothing moves twice.
        }

        var creditedDate = receipt.Content["XClearDate"] ?? receipt.Content["VouDate"]!;
        session.Connection.Execute(
            "UPDATE bank_refunds SET credited_date = @creditedDate WHERE adm_div_code = @adm AND st_year = @year AND refund_no = @no",
            new { creditedDate, adm = receipt.AdmDivCode, year = receipt.StYear, no = refund.RefundNo }, session.Transaction);
        if (refund.PayType == AuthorizedPayType)
        {
            var restored = session.Connection.Execute(
                """
                UPDATE bank_quotas SET paid_fen = paid_fen - @fen
                WHERE adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func AND paid_fen >= @fen
                """,
                new { fen = refund.AmountFen, adm = receipt.AdmDivCode, year = receipt.StYear, agency = refund.AgencyCode, func = refund.ExpFuncCode },
                session.Transaction);
            if (restored != 1)
            {
                throw new InvalidOperationException($"the quota of {refund.AgencyCode}/{refund.ExpFuncCode} cannot take back the refund {refund.RefundNo}");
            }

            session.Audit(Clerk, "refund-quota-restored", receipt.Key.ToString(), $"{new Amount(refund.AmountFen).ToWire()} back to the quota of {refund.AgencyCode}/{refund.ExpFuncCode}");
        }

        var signed = library.SignFor(session, receipt.Id, Clerk);
        if (!signed.Ok)
        {
            return signed;
        }

        var original = VoucherLibrary.Find(session, refund.OriVoucherId)!.Content;
        var noticeNo = NoticeNo(refund.RefundNo);
        var notice = RefundNotice(noticeNo, refund, original, creditedDate);
        session.Connection.Execute(
            "UPDATE bank_refunds SET notice_no = @noticeNo WHERE adm_div_code = @adm AND st_year = @year AND refund_no = @no",
            new { noticeNo, adm = receipt.AdmDivCode, year = receipt.StYear, no = refund.RefundNo }, session.Transaction);
        var noticed = library.Issue(session, notice, [PartyId.Finance], clerk, reviewer);
        if (!noticed.Ok || refund.PayType != AuthorizedPayType)
        {
            return noticed;
        }

        // 2208: one refund daily report per refund, the simplest that keeps every refund reported once.
        var reportNo = ReportNo(refund.RefundNo);
        session.Connection.Execute(
            "UPDATE bank_refunds SET report_no = @reportNo WHERE adm_div_code = @adm AND st_year = @year AND refund_no = @no",
            new { reportNo, adm = receipt.AdmDivCode, year = receipt.StYear, no = refund.RefundNo }, session.Transaction);
        return library.Issue(session, RefundReport(reportNo, refund, original, creditedDate), [PartyId.Finance], clerk, reviewer);
    }

    private static string NoticeNo(string refundNo) => $"TZ-{refundNo}";

    private static string ReportNo(string refundNo) => $"TR-{refundNo}";

    private VoucherKey RefundKey(string vtCode, string voucherNo) => new(
        AdmDivCode.Parse(master.AdmDivCode), new StYear(master.StYear), VtCode.Parse(vtCode), VoucherNo.Parse(voucherNo));

    private Voucher RefundRequest(string refundNo, DateOnly date, PaidLine line, string originalVoucherNo, int originalLine, Amount amount, string reason)
    {
        var negative = (-amount).ToWire();
        var unit = master.Unit(line.AgencyCode);
        var authorized = line.PayType == AuthorizedPayType;
        List<VoucherField> header =
        [
            .. master.VoucherHeader("2302", refundNo, Date(date)),
            new("TreCode", master.TreCode),
            new("FinOrgCode", master.FinOrgCode),
            new("FundTypeCode", "1"),
            new("FundTypeName", "一般公共预算资金"),
            new("PayTypeCode", line.PayType),
            new("PayTypeName", authorized ? "授权支付" : "直接支付"),
            new("AgentAcctNo", _bank.ClearingAccountNo),
            new("AgentAcctName", $"{_bank.Name}{(authorized ? "财政授权支付清算户" : "财政直接支付清算户")}"),
            new("AgentAcctBankName", _bank.Name),
            new("ClearAcctNo", master.TreasuryAccountNo),
            new("ClearAcctName", master.TreasuryAccountName),
            new("ClearAcctBankName", master.PbocName),
            new("PayEntrustDate", Date(date)),
            new("PayAmt", negative),
            new("PayBankName", _bank.Name),
            new("PayBankNo", _bank.BankNo),
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

    /// <summary>
    /// The refund notice (退款通知书) for the refund's pay type: 2204 财政授权支付退款通知书 tells the unit the money came
    /// back to its zero-balance account's quota; 2203 财政直接支付退款通知书 tells Finance the direct payment's money came
    /// back to the treasury, and also names the payee it was returned from.
    /// </summary>
    private Voucher RefundNotice(string voucherNo, BankRefundRow refund, Voucher original, string creditedDate)
    {
        var authorized = refund.PayType == AuthorizedPayType;
        var negative = new Amount(-refund.AmountFen).ToWire();
        var detail = original.Details[(int)refund.OriLine - 1];
        var header = RefundNoticeHeader(authorized ? "2204" : "2203", voucherNo, refund, original, creditedDate, negative);
        var line = new List<VoucherField>
        {
            new("Id", "1"),
            new("VoucherBillId", voucherNo),
            new("VoucherNo", refund.RefundNo),
            new("AgencyCode", refund.AgencyCode),
            new("AgencyName", detail["AgencyName"] ?? string.Empty),
            new("ExpFuncCode", refund.ExpFuncCode),
            new("ExpFuncName", detail["ExpFuncName"] ?? string.Empty),
            new("ExpEcoCode", detail["ExpEcoCode"] ?? string.Empty),
            new("ExpEcoName", detail["ExpEcoName"] ?? string.Empty),
        };
        if (!authorized)
        {
            line.Add(new("PayeeAcctNo", detail["PayeeAcctNo"] ?? original["PayeeAcctNo"] ?? string.Empty));
            line.Add(new("PayeeAcctName", detail["PayeeAcctName"] ?? original["PayeeAcctName"] ?? string.Empty));
            line.Add(new("PayeeAcctBankName", detail["PayeeAcctBankName"] ?? original["PayeeAcctBankName"] ?? string.Empty));
        }

        line.Add(new("PayAmt", negative));
        line.Add(new("Remark", refund.Reason));
        return new Voucher(header, [new VoucherDetail(line)]);
    }

    private List<VoucherField> RefundNoticeHeader(string vtCode, string voucherNo, BankRefundRow refund, Voucher original, string creditedDate, string negative) =>
    [
        .. master.VoucherHeader(vtCode, voucherNo, creditedDate),
        new("PayBankCode", _bank.BankCode),
        new("PayBankName", _bank.Name),
        new("AgentBusinessNo", refund.RefundNo),
        new("OriBillNo", refund.OriVoucherNo),
        new("PayAcctNo", original["PayAcctNo"] ?? string.Empty),
        new("PayAcctName", original["PayAcctName"] ?? string.Empty),
        new("PayAcctBankName", original["PayAcctBankName"] ?? string.Empty),
        new("PayeeAcctNo", original["PayeeAcctNo"] ?? string.Empty),
        new("PayeeAcctName", original["PayeeAcctName"] ?? string.Empty),
        new("PayeeAcctBankName", original["PayeeAcctBankName"] ?? string.Empty),
        new("PayAmt", negative),
        new("Remark", refund.Reason),
        new("PayDate", creditedDate),
    ];

    /// <summary>2208 财政授权支付退款日报表, here one per refund (line negative).</summary>
    private Voucher RefundReport(string voucherNo, BankRefundRow refund, Voucher original, string creditedDate)
    {
        var negative = new Amount(-refund.AmountFen).ToWire();
        var detail = original.Details[(int)refund.OriLine - 1];
        List<VoucherField> header =
        [
            .. master.VoucherHeader("2208", voucherNo, creditedDate),
            new("PayAmt", negative),
            new("FundTypeCode", original["FundTypeCode"] ?? "1"),
            new("FundTypeName", original["FundTypeName"] ?? "一般公共预算资金"),
            new("PayTypeCode", AuthorizedPayType),
            new("PayTypeName", "授权支付"),
            new("PayBankCode", _bank.BankCode),
            new("PayBankName", _bank.Name),
        ];
        VoucherDetail[] details =
        [
            new(
            [
                new("Id", "1"),
                new("VoucherNo", refund.RefundNo),
                new("OriVoucherNo", refund.OriVoucherNo),
                new("AgencyCode", refund.AgencyCode),
                new("AgencyName", detail["AgencyName"] ?? string.Empty),
                new("ExpFuncCode", refund.ExpFuncCode),
                new("ExpFuncName", detail["ExpFuncName"] ?? string.Empty),
                new("PayDate", creditedDate),
                new("PayAmt", negative),
                new("Remark", refund.Reason),
            ]),
        ];
        return new Voucher(header, details);
    }

    private const string SelectRefund = """
        SELECT refund_no AS RefundNo, pay_type AS PayType, ori_voucher_id AS OriVoucherId, ori_voucher_no AS OriVoucherNo, ori_line AS OriLine,
               agency_code AS AgencyCode, exp_func_code AS ExpFuncCode, amount_fen AS AmountFen, reason AS Reason, credited_date AS CreditedDate
        FROM bank_refunds
        """;

    private sealed class BankRefundRow
    {
        public string RefundNo { get; init; } = string.Empty;

        public string PayType { get; init; } = string.Empty;

        public long OriVoucherId { get; init; }

        public string OriVoucherNo { get; init; } = string.Empty;

        public long OriLine { get; init; }

        public string AgencyCode { get; init; } = string.Empty;

        public string ExpFuncCode { get; init; } = string.Empty;

        public long AmountFen { get; init; }

        public string Reason { get; init; } = string.Empty;

        public string? CreditedDate { get; init; }
    }

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
