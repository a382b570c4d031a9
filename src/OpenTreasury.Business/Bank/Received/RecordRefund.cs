using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Bank.Received;

/// <summary>
/// PBOC's 回单 of a 2302 申请退款凭证: the treasury took the money back. For 授权支付 the unit's quota is
/// restored now, and Finance gets the 2204 (the unit reads it) and the 2208; for 直接支付 the 2203.
/// All in the transaction that signs for the 回单.
/// </summary>
internal static class RecordRefund
{
    public static LibraryResult Handle(BankShift shift, LibrarySession session, StoredVoucher receipt)
    {
        var (bank, library) = (shift.Bank, shift.Bank.Library);
        // Load: the refund the 回单 answers.
        var refund = session.Connection.QueryFirstOrDefault<BankRefundRow>(
            $"{BankRefunds.SelectRefund} WHERE adm_div_code = @adm AND st_year = @year AND refund_no = @no",
            new { adm = receipt.AdmDivCode, year = receipt.StYear, no = receipt.VoucherNo }, session.Transaction);
        // Decide: an unknown refund is refused; one credited already moves nothing twice.
        if (refund is null)
        {
            return library.Refuse(session, receipt.Id, bank.Clerk, BankRejection.UnknownRefund.Say($"本行无退款 {receipt.VoucherNo}"));
        }

        if (refund.CreditedDate is not null)
        {
            return library.SignFor(session, receipt.Id, bank.Clerk); // Credited once already; nothing moves twice.
        }

        // Record: credited, the quota restored (12), signed for, the notices to Finance.
        var creditedDate = receipt.Content["XClearDate"] ?? receipt.Content["VouDate"]!;
        session.Connection.Execute(
            "UPDATE bank_refunds SET credited_date = @creditedDate WHERE adm_div_code = @adm AND st_year = @year AND refund_no = @no",
            new { creditedDate, adm = receipt.AdmDivCode, year = receipt.StYear, no = refund.RefundNo }, session.Transaction);
        if (refund.PayType == BankDesk.AuthorizedPayType)
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

            session.Audit(bank.Clerk, "refund-quota-restored", receipt.Key.ToString(), $"{new Amount(refund.AmountFen).ToWire()} back to the quota of {refund.AgencyCode}/{refund.ExpFuncCode}");
        }

        var signed = library.SignFor(session, receipt.Id, bank.Clerk);
        if (!signed.Ok)
        {
            return signed;
        }

        var original = VoucherLibrary.Find(session, refund.OriVoucherId)!.Content;
        var noticeNo = BankRefunds.NoticeNo(refund.RefundNo);
        var notice = RefundNotice(bank, noticeNo, refund, original, creditedDate);
        session.Connection.Execute(
            "UPDATE bank_refunds SET notice_no = @noticeNo WHERE adm_div_code = @adm AND st_year = @year AND refund_no = @no",
            new { noticeNo, adm = receipt.AdmDivCode, year = receipt.StYear, no = refund.RefundNo }, session.Transaction);
        var noticed = library.Issue(session, notice, [PartyId.Finance], shift.Clerk, shift.Reviewer);
        if (!noticed.Ok || refund.PayType != BankDesk.AuthorizedPayType)
        {
            return noticed;
        }

        // 2208: one refund daily report per refund, the simplest that keeps every refund reported once.
        var reportNo = BankRefunds.ReportNo(refund.RefundNo);
        session.Connection.Execute(
            "UPDATE bank_refunds SET report_no = @reportNo WHERE adm_div_code = @adm AND st_year = @year AND refund_no = @no",
            new { reportNo, adm = receipt.AdmDivCode, year = receipt.StYear, no = refund.RefundNo }, session.Transaction);
        return library.Issue(session, RefundReport(bank, reportNo, refund, original, creditedDate), [PartyId.Finance], shift.Clerk, shift.Reviewer);
    }

    /// <summary>
    /// The refund notice (退款通知书) for the refund's pay type: 2204 财政授权支付退款通知书 tells the unit the money came
    /// back to its zero-balance account's quota; 2203 财政直接支付退款通知书 tells Finance the direct payment's money came
    /// back to the treasury, and also names the payee it was returned from.
    /// </summary>
    private static Voucher RefundNotice(BankContext bank, string voucherNo, BankRefundRow refund, Voucher original, string creditedDate)
    {
        var authorized = refund.PayType == BankDesk.AuthorizedPayType;
        var negative = new Amount(-refund.AmountFen).ToWire();
        var detail = original.Details[(int)refund.OriLine - 1];
        var header = RefundNoticeHeader(bank, authorized ? "2204" : "2203", voucherNo, refund, original, creditedDate, negative);
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

    private static List<VoucherField> RefundNoticeHeader(BankContext bank, string vtCode, string voucherNo, BankRefundRow refund, Voucher original, string creditedDate, string negative) =>
    [
        .. bank.Master.Division(original.Require("AdmDivCode")).VoucherHeader(bank.Master.StYear, vtCode, voucherNo, creditedDate),
        new("PayBankCode", bank.Bank.BankCode),
        new("PayBankName", bank.Bank.Name),
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
    private static Voucher RefundReport(BankContext bank, string voucherNo, BankRefundRow refund, Voucher original, string creditedDate)
    {
        var negative = new Amount(-refund.AmountFen).ToWire();
        var detail = original.Details[(int)refund.OriLine - 1];
        List<VoucherField> header =
        [
            .. bank.Master.Division(original.Require("AdmDivCode")).VoucherHeader(bank.Master.StYear, "2208", voucherNo, creditedDate),
            new("PayAmt", negative),
            new("FundTypeCode", original["FundTypeCode"] ?? "1"),
            new("FundTypeName", original["FundTypeName"] ?? "一般公共预算资金"),
            new("PayTypeCode", BankDesk.AuthorizedPayType),
            new("PayTypeName", "授权支付"),
            new("PayBankCode", bank.Bank.BankCode),
            new("PayBankName", bank.Bank.Name),
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
}
