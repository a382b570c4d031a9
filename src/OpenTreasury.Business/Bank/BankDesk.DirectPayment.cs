using System.Globalization;
using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Bank;

/// <summary>
/// 直接支付 at the agent bank: pays Finance's 5201 line by line and answers with the stamped 回单
/// (XPayAmt, XPayDate, XAgentBusinessNo; a line that fails carries XPayAmt 0.00 and the reason in
/// XAddWord); asks PBOC for what it actually paid with 2301s of PayTypeCode 11; tells Finance with a
/// 2209 credit notice per paid 5201 and the 2206 daily report.
/// </summary>
public sealed partial class BankDesk
{
    /// <summary>PayTypeCode of 直接支付 on 2301/2206 (12 is 授权支付).</summary>
    public const string DirectPayType = "11";

    /// <summary>
    /// The bank's account check (账户核验) of a payee before paying it. The real check asks the bank's core
    /// system whether the account exists and is open; here an account number ending in "0000" is closed,
    /// so tests and demos can make a payee fail deterministically. Null when the account can be paid.
    /// </summary>
    public static string? CheckPayeeAccount(string? accountNo) =>
        string.IsNullOrWhiteSpace(accountNo) ? "收款人账号为空"
        : accountNo.EndsWith("0000", StringComparison.Ordinal) ? $"收款人账户 {accountNo} 已销户 (账户核验未通过)"
        : null;

    /// <summary>
    /// 2209 credit notices (one per paid 5201, its paid lines) and the 2206 daily report of direct payments
    /// made up to <paramref name="businessDate"/> and not yet reported (a later one is a supplement -2, -3 …).
    /// </summary>
    public IReadOnlyList<LibraryResult> SendDirectPaymentReports(DateOnly businessDate)
    {
        var (clerk, reviewer) = (signers.SignerFor(Clerk), signers.SignerFor(Reviewer));
        var results = new List<LibraryResult>();
        using var session = library.Begin();
        var unfinished = session.Connection.Query<long>(
            "SELECT id FROM vouchers WHERE origin = 'own' AND vt_code IN ('2209', '2206') AND flag = 0 AND state IN ('draft', 'approved', 'signed') ORDER BY id",
            transaction: session.Transaction).ToList();
        foreach (var id in unfinished)
        {
            results.Add(library.Complete(session, id, clerk, reviewer).ThrowIfRefused()); // One interrupted by a crash is finished first.
        }

        var date = Date(businessDate);
        var toNotice = session.Connection.Query<DirectLine>(
            $"{SelectDirectLines} WHERE noticed_in IS NULL AND pay_date <= @date AND adm_div_code = @adm AND st_year = @year ORDER BY voucher_id, line",
            new { date, adm = master.AdmDivCode, year = master.StYear }, session.Transaction).ToList();
        foreach (var paid in toNotice.GroupBy(l => l.VoucherId))
        {
            var noticeNo = $"RZ{_bank.BankCode}{paid.Key:D8}";
            session.Connection.Execute("UPDATE bank_direct_payments SET noticed_in = @noticeNo WHERE voucher_id = @id", new { noticeNo, id = paid.Key }, session.Transaction);
            var original = VoucherLibrary.Find(session, paid.Key)!.Content;
            results.Add(library.Issue(session, CreditNotice(noticeNo, businessDate, original, [.. paid]), [PartyId.Finance], clerk, reviewer).ThrowIfRefused());
        }

        var baseNo = $"ZB{_bank.BankCode}{businessDate:yyyyMMdd}";
        var reports = session.Connection.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM vouchers WHERE origin = 'own' AND vt_code = '2206' AND flag = 0 AND (voucher_no = @baseNo OR voucher_no LIKE @baseNo || '-%')",
            new { baseNo }, session.Transaction);
        var toReport = session.Connection.Query<DirectLine>(
            $"{SelectDirectLines} WHERE reported_in IS NULL AND pay_date <= @date AND adm_div_code = @adm AND st_year = @year ORDER BY voucher_id, line",
            new { date, adm = master.AdmDivCode, year = master.StYear }, session.Transaction).ToList();
        if (toReport.Count > 0)
        {
            var voucherNo = reports == 0 ? baseNo : $"{baseNo}-{reports + 1}";
            session.Connection.Execute(
                "UPDATE bank_direct_payments SET reported_in = @voucherNo WHERE reported_in IS NULL AND pay_date <= @date AND adm_div_code = @adm AND st_year = @year",
                new { voucherNo, date, adm = master.AdmDivCode, year = master.StYear }, session.Transaction);
            results.Add(library.Issue(session, DirectDailyReport(voucherNo, businessDate, toReport), [PartyId.Finance], clerk, reviewer).ThrowIfRefused());
        }

        session.Commit();
        return results;
    }

    /// <summary>5201: pay each detail whose payee passes the account check; answer with the 回单 either way.</summary>
    private LibraryResult PayDirect(LibrarySession session, StoredVoucher payment, DateOnly businessDate, Signer clerk, Signer reviewer)
    {
        var content = payment.Content;
        if (content["PayBankCode"] != _bank.BankCode)
        {
            var returned = library.Return(session, payment.Id, Clerk, $"付款银行 {content["PayBankCode"]} 不是本行 {_bank.BankCode}");
            return returned.Ok ? returned with { Message = Returned } : returned;
        }

        var date = Date(businessDate);
        var businessNo = $"{_bank.BankCode}{businessDate:yyyyMMdd}{payment.Id:D8}";
        var details = new List<VoucherDetail>();
        var paid = Amount.Zero;
        var failed = 0;
        for (var i = 0; i < content.Details.Count; i++)
        {
            var detail = content.Details[i];
            var payee = detail["PayeeAcctNo"] ?? content["PayeeAcctNo"];
            var amount = Amount.ParseWire(detail["PayAmt"]!);
            if (CheckPayeeAccount(payee) is { } reason)
            {
                failed++;
                details.Add(detail.With("XPayDate", date).With("XPayAmt", Amount.Zero.ToWire()).With("XAddWord", reason));
                session.Audit(Clerk, "pay-direct-failed", payment.Key.ToString(), $"line {i + 1}: {amount.ToWire()} to {payee}: {reason}");
                continue;
            }

            session.Connection.Execute(
                """
                INSERT INTO bank_direct_payments (voucher_id, line, adm_div_code, st_year, voucher_no, agency_code, exp_func_code, payee_acct_no, amount_fen, pay_date, business_no)
                VALUES (@id, @line, @adm, @year, @no, @agency, @func, @payee, @fen, @date, @businessNo)
                """,
                new { id = payment.Id, line = i + 1, adm = payment.AdmDivCode, year = payment.StYear, no = payment.VoucherNo, agency = detail["AgencyCode"], func = detail["ExpFuncCode"], payee, fen = amount.Fen, date, businessNo },
                session.Transaction);
            paid += amount;
            details.Add(detail.With("XPayDate", date).With("XAgentBusinessNo", businessNo).With("XPayAmt", amount.ToWire()));
        }

        session.Audit(Clerk, "pay-direct", payment.Key.ToString(), $"paid {paid.ToWire()} of {content["PayAmt"]}; {failed} line(s) failed; 流水号 {businessNo}");
        return library.Reply(session, payment.Id, clerk, reviewer, v =>
        {
            var receipt = v.With("XPayDate", date).With("XAgentBusinessNo", businessNo).With("XPayAmt", paid.ToWire());
            receipt = failed == 0 ? receipt : receipt.With("XAddWord", $"{failed} 笔明细支付失败, 实际支付 {paid.ToWire()}");
            return receipt.WithDetails(details);
        }, []);
    }

    /// <summary>Direct payments paid and not yet asked for: a 2301 of PayTypeCode 11 per division and year, apart from the authorized ones.</summary>
    private List<LibraryResult> RequestDirectClearing(LibrarySession session, DateOnly businessDate, Signer clerk, Signer reviewer)
    {
        var results = new List<LibraryResult>();
        var pending = session.Connection.Query<PaymentRow>(
            """
            SELECT adm_div_code AS AdmDivCode, st_year AS StYear, agency_code AS AgencyCode, exp_func_code AS ExpFuncCode, SUM(amount_fen) AS AmountFen
            FROM bank_direct_payments WHERE clearing_voucher_no IS NULL
            GROUP BY adm_div_code, st_year, agency_code, exp_func_code ORDER BY adm_div_code, st_year, agency_code, exp_func_code
            """, transaction: session.Transaction).ToList();
        foreach (var division in pending.GroupBy(p => (p.AdmDivCode, p.StYear)))
        {
            var sequence = session.Connection.ExecuteScalar<long>(
                "SELECT COUNT(*) FROM vouchers WHERE origin = 'own' AND vt_code = '2301' AND flag = 0", transaction: session.Transaction) + 1;
            var voucherNo = $"HK{_bank.BankCode}{businessDate:yyyyMMdd}{sequence:D3}";
            session.Connection.Execute(
                "UPDATE bank_direct_payments SET clearing_voucher_no = @voucherNo WHERE clearing_voucher_no IS NULL AND adm_div_code = @adm AND st_year = @year",
                new { voucherNo, adm = division.Key.AdmDivCode, year = division.Key.StYear }, session.Transaction);
            var request = TransferRequest(division.Key.AdmDivCode, (int)division.Key.StYear, voucherNo, businessDate, [.. division])
                .With("PayTypeCode", DirectPayType)
                .With("PayTypeName", "直接支付")
                .With("AgentAcctName", $"{_bank.Name}财政直接支付清算户");
            results.Add(library.Issue(session, request, [PartyId.Pboc], clerk, reviewer).ThrowIfRefused());
        }

        return results;
    }

    /// <summary>
    /// Direct payments of a 2301 that PBOC returned or refused go back to waiting for clearing (the 2301
    /// itself was voided by <see cref="ReleaseRefusedRequests"/>, which runs first).
    /// </summary>
    private static void ReleaseRefusedDirectRequests(LibrarySession session) =>
        session.Connection.Execute(
            """
            UPDATE bank_direct_payments SET clearing_voucher_no = NULL
            WHERE cleared_date IS NULL AND clearing_voucher_no IN (SELECT voucher_no FROM vouchers WHERE origin = 'own' AND vt_code = '2301' AND flag = 0 AND state = 'voided')
            """,
            transaction: session.Transaction);

    /// <summary>PBOC's 回单 of a 2301 of PayTypeCode 11: the direct payments it covers are cleared.</summary>
    private LibraryResult RecordDirectClearing(LibrarySession session, StoredVoucher receipt)
    {
        session.Connection.Execute(
            "UPDATE bank_direct_payments SET cleared_date = @date WHERE clearing_voucher_no = @no",
            new { date = receipt.Content["XClearDate"], no = receipt.VoucherNo }, session.Transaction);
        return library.SignFor(session, receipt.Id, Clerk);
    }

    private Voucher CreditNotice(string voucherNo, DateOnly businessDate, Voucher original, IReadOnlyList<DirectLine> lines)
    {
        var total = new Amount(lines.Sum(l => l.AmountFen));
        var header = new List<VoucherField>
        {
            new("Id", voucherNo),
            new("AdmDivCode", original.Require("AdmDivCode")),
            new("StYear", original.Require("StYear")),
            new("VtCode", "2209"),
            new("VouDate", Date(businessDate)),
            new("VoucherNo", voucherNo),
            new("PayBankCode", _bank.BankCode),
            new("PayBankName", _bank.Name),
            new("AgentBusinessNo", lines[0].BusinessNo),
            new("OriBillNo", original.Require("VoucherNo")),
            new("PayAcctNo", original["PayAcctNo"] ?? string.Empty),
            new("PayAcctName", original["PayAcctName"] ?? string.Empty),
            new("PayAcctBankName", original["PayAcctBankName"] ?? string.Empty),
            new("PayeeAcctNo", original["PayeeAcctNo"] ?? string.Empty),
            new("PayeeAcctName", original["PayeeAcctName"] ?? string.Empty),
            new("PayeeAcctBankName", original["PayeeAcctBankName"] ?? string.Empty),
            new("PayAmt", total.ToWire()),
            new("Remark", original["PaySummaryName"] ?? string.Empty),
            new("PayDate", lines[0].PayDate),
        };
        var details = lines.Select((l, i) =>
        {
            var detail = original.Details[(int)l.Line - 1];
            return new VoucherDetail(
            [
                new("Id", (i + 1).ToString(CultureInfo.InvariantCulture)),
                new("VoucherBillId", voucherNo),
                new("VoucherNo", l.VoucherNo),
                new("AgencyCode", l.AgencyCode),
                new("AgencyName", detail["AgencyName"] ?? string.Empty),
                new("ExpFuncCode", l.ExpFuncCode),
                new("ExpFuncName", detail["ExpFuncName"] ?? string.Empty),
                new("ExpEcoCode", detail["ExpEcoCode"] ?? string.Empty),
                new("ExpEcoName", detail["ExpEcoName"] ?? string.Empty),
                new("PayeeAcctNo", l.PayeeAcctNo),
                new("PayeeAcctName", detail["PayeeAcctName"] ?? string.Empty),
                new("PayeeAcctBankName", detail["PayeeAcctBankName"] ?? string.Empty),
                new("PayAmt", new Amount(l.AmountFen).ToWire()),
            ]);
        });
        return new Voucher(header, details);
    }

    private Voucher DirectDailyReport(string voucherNo, DateOnly businessDate, IReadOnlyList<DirectLine> lines)
    {
        var total = new Amount(lines.Sum(l => l.AmountFen));
        var header = DailyReportHeader("2206", DirectPayType, "直接支付", voucherNo, businessDate, total);
        var details = lines.Select((l, i) => new VoucherDetail(
        [
            new("Id", (i + 1).ToString(CultureInfo.InvariantCulture)),
            new("VoucherNo", l.VoucherNo),
            new("PayTypeCode", DirectPayType),
            new("PayTypeName", "直接支付"),
            new("AgencyCode", l.AgencyCode),
            new("AgencyName", master.Unit(l.AgencyCode).Name),
            new("ExpFuncCode", l.ExpFuncCode),
            new("PayeeAcctNo", l.PayeeAcctNo),
            new("PayBankCode", _bank.BankCode),
            new("PayBankName", _bank.Name),
            new("PayDate", l.PayDate),
            new("PayAmt", new Amount(l.AmountFen).ToWire()),
        ]));
        return new Voucher(header, details);
    }

    private const string SelectDirectLines = """
        SELECT voucher_id AS VoucherId, voucher_no AS VoucherNo, line AS Line, agency_code AS AgencyCode, exp_func_code AS ExpFuncCode,
               payee_acct_no AS PayeeAcctNo, amount_fen AS AmountFen, pay_date AS PayDate, business_no AS BusinessNo
        FROM bank_direct_payments
        """;

    private sealed record DirectLine(long VoucherId, string VoucherNo, long Line, string AgencyCode, string ExpFuncCode, string PayeeAcctNo, long AmountFen, string PayDate, string BusinessNo);
}
