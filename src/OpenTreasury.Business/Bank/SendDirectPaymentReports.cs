using System.Globalization;
using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Bank;

/// <summary>
/// 直接支付 reports to Finance: a 2209 财政直接支付入账通知书 per paid 5201 (its paid lines) and the 2206
/// 财政直接支付日报表 of direct payments made up to a business day and not yet reported. Both only once PBOC's
/// 2301 回单 has cleared the lines (seed 六): a line paid but not yet cleared waits for the next run.
/// </summary>
internal static class SendDirectPaymentReports
{
    /// <summary>
    /// 2209 credit notices (one per paid 5201, its paid lines) and the 2206 daily report of direct payments
    /// made up to <paramref name="businessDate"/> and not yet reported, per division (a later one is a supplement -2, -3 …).
    /// </summary>
    public static IReadOnlyList<LibraryResult> Handle(BankContext bank, DateOnly businessDate)
    {
        var (clerk, reviewer) = (bank.Signers.SignerFor(bank.Clerk), bank.Signers.SignerFor(bank.Reviewer));
        var results = new List<LibraryResult>();
        using var session = bank.Library.Begin();
        var unfinished = session.Connection.Query<long>(
            "SELECT id FROM vouchers WHERE origin = 'own' AND vt_code IN ('2209', '2206') AND flag = 0 AND state IN ('draft', 'approved', 'signed') ORDER BY id",
            transaction: session.Transaction).ToList();
        foreach (var id in unfinished)
        {
            results.Add(bank.Library.Complete(session, id, clerk, reviewer).ThrowIfRefused()); // One interrupted by a crash is finished first.
        }

        var date = BankContext.Date(businessDate);
        foreach (var division in bank.Master.Divisions)
        {
            var key = new { date, adm = division.AdmDivCode, year = bank.Master.StYear };
            var toNotice = session.Connection.Query<DirectLine>(
                $"{SelectDirectLines} WHERE noticed_in IS NULL AND cleared_date IS NOT NULL AND pay_date <= @date AND adm_div_code = @adm AND st_year = @year ORDER BY voucher_id, line",
                key, session.Transaction).ToList();
            foreach (var paid in toNotice.GroupBy(l => l.VoucherId))
            {
                var noticeNo = $"RZ{bank.Bank.BankCode}{paid.Key:D8}";
                session.Connection.Execute("UPDATE bank_direct_payments SET noticed_in = @noticeNo WHERE voucher_id = @id AND noticed_in IS NULL AND cleared_date IS NOT NULL", new { noticeNo, id = paid.Key }, session.Transaction);
                var original = VoucherLibrary.Find(session, paid.Key)!.Content;
                results.Add(bank.Library.Issue(session, CreditNotice(bank, noticeNo, businessDate, original, [.. paid]), [PartyId.Finance], clerk, reviewer).ThrowIfRefused());
            }

            var baseNo = $"ZB{bank.Bank.BankCode}{businessDate:yyyyMMdd}";
            var reports = session.Connection.ExecuteScalar<long>(
                "SELECT COUNT(*) FROM vouchers WHERE origin = 'own' AND vt_code = '2206' AND flag = 0 AND adm_div_code = @adm AND (voucher_no = @baseNo OR voucher_no LIKE @baseNo || '-%')",
                new { baseNo, adm = division.AdmDivCode }, session.Transaction);
            var toReport = session.Connection.Query<DirectLine>(
                $"{SelectDirectLines} WHERE reported_in IS NULL AND cleared_date IS NOT NULL AND pay_date <= @date AND adm_div_code = @adm AND st_year = @year ORDER BY voucher_id, line",
                key, session.Transaction).ToList();
            if (toReport.Count > 0)
            {
                var voucherNo = reports == 0 ? baseNo : $"{baseNo}-{reports + 1}";
                session.Connection.Execute(
                    "UPDATE bank_direct_payments SET reported_in = @voucherNo WHERE reported_in IS NULL AND cleared_date IS NOT NULL AND pay_date <= @date AND adm_div_code = @adm AND st_year = @year",
                    new { voucherNo, key.date, key.adm, key.year }, session.Transaction);
                results.Add(bank.Library.Issue(session, DirectDailyReport(bank, division, voucherNo, businessDate, toReport), [PartyId.Finance], clerk, reviewer).ThrowIfRefused());
            }
        }

        session.Commit();
        return results;
    }

    private static Voucher CreditNotice(BankContext bank, string voucherNo, DateOnly businessDate, Voucher original, IReadOnlyList<DirectLine> lines)
    {
        var total = new Amount(lines.Sum(l => l.AmountFen));
        var header = new List<VoucherField>
        {
            new("Id", voucherNo),
            new("AdmDivCode", original.Require("AdmDivCode")),
            new("StYear", original.Require("StYear")),
            new("VtCode", "2209"),
            new("VouDate", BankContext.Date(businessDate)),
            new("VoucherNo", voucherNo),
            new("PayBankCode", bank.Bank.BankCode),
            new("PayBankName", bank.Bank.Name),
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

    private static Voucher DirectDailyReport(BankContext bank, Node.Network.Division division, string voucherNo, DateOnly businessDate, IReadOnlyList<DirectLine> lines)
    {
        var total = new Amount(lines.Sum(l => l.AmountFen));
        var header = bank.DailyReportHeader(division, "2206", BankDesk.DirectPayType, "直接支付", voucherNo, businessDate, total);
        var details = lines.Select((l, i) => new VoucherDetail(
        [
            new("Id", (i + 1).ToString(CultureInfo.InvariantCulture)),
            new("VoucherNo", l.VoucherNo),
            new("PayTypeCode", BankDesk.DirectPayType),
            new("PayTypeName", "直接支付"),
            new("AgencyCode", l.AgencyCode),
            new("AgencyName", bank.Master.Unit(l.AgencyCode).Name),
            new("ExpFuncCode", l.ExpFuncCode),
            new("PayeeAcctNo", l.PayeeAcctNo),
            new("PayBankCode", bank.Bank.BankCode),
            new("PayBankName", bank.Bank.Name),
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
