using System.Globalization;
using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Bank;

/// <summary>The 2207 财政授权支付日报表: the authorized payments made up to a business day, cleared by PBOC's 2301 回单, not yet reported.</summary>
internal static class SendDailyReport
{
    /// <summary>
    /// The 2207 daily report of authorized payments made on a business day, one per division with something to
    /// report, one line per paid voucher line; the last report made, or null when there was nothing to report.
    /// </summary>
    public static LibraryResult? Handle(BankContext bank, DateOnly businessDate)
    {
        var (clerk, reviewer) = (bank.Signers.SignerFor(bank.Clerk), bank.Signers.SignerFor(bank.Reviewer));
        using var session = bank.Library.Begin();
        var baseNo = $"RB{bank.Bank.BankCode}{businessDate:yyyyMMdd}";
        var reports = session.Connection.Query<(long Id, string Adm)>(
            "SELECT id, adm_div_code FROM vouchers WHERE origin = 'own' AND vt_code = '2207' AND flag = 0 AND (voucher_no = @baseNo OR voucher_no LIKE @baseNo || '-%') ORDER BY id",
            new { baseNo }, session.Transaction).ToList();
        LibraryResult? last = null;
        foreach (var (id, _) in reports)
        {
            last = bank.Library.Complete(session, id, clerk, reviewer).ThrowIfRefused(); // One interrupted by a crash is finished first.
        }

        foreach (var division in bank.Master.Divisions)
        {
            // Every payment up to this day that PBOC's 2301 回单 has cleared and that is not yet reported (seed 六: the
            // bank reports after the 回单): one cleared after the day's report goes into a supplement (-2, -3 …).
            var lines = session.Connection.Query<ReportLine>(
                """
                SELECT p.voucher_id AS VoucherId, p.voucher_no AS VoucherNo, p.line AS Line, p.agency_code AS AgencyCode, p.exp_func_code AS ExpFuncCode,
                       p.amount_fen AS AmountFen, p.business_no AS BusinessNo
                FROM bank_payments p
                WHERE p.reported_in IS NULL AND p.cleared_date IS NOT NULL AND p.pay_date <= @date AND p.adm_div_code = @adm AND p.st_year = @year ORDER BY p.voucher_id, p.line
                """,
                new { date = BankContext.Date(businessDate), adm = division.AdmDivCode, year = bank.Master.StYear }, session.Transaction).ToList();
            if (lines.Count == 0)
            {
                continue;
            }

            var made = reports.Count(r => r.Adm == division.AdmDivCode);
            var voucherNo = made == 0 ? baseNo : $"{baseNo}-{made + 1}";
            foreach (var line in lines)
            {
                session.Connection.Execute(
                    "UPDATE bank_payments SET reported_in = @voucherNo WHERE voucher_id = @VoucherId AND line = @Line",
                    new { voucherNo, line.VoucherId, line.Line }, session.Transaction);
            }

            last = bank.Library.Issue(session, DailyReport(bank, division, voucherNo, businessDate, lines), [PartyId.Finance], clerk, reviewer).ThrowIfRefused();
        }

        session.Commit();
        return last;
    }

    private static Voucher DailyReport(BankContext bank, Node.Network.Division division, string voucherNo, DateOnly businessDate, IReadOnlyList<ReportLine> lines)
    {
        var total = new Amount(lines.Sum(l => l.AmountFen));
        var header = bank.DailyReportHeader(division, "2207", BankDesk.AuthorizedPayType, "授权支付", voucherNo, businessDate, total);
        var details = lines.Select((l, i) => new VoucherDetail(
        [
            new("Id", (i + 1).ToString(CultureInfo.InvariantCulture)),
            new("VoucherNo", l.VoucherNo),
            new("AgencyCode", l.AgencyCode),
            new("AgencyName", bank.Master.Unit(l.AgencyCode).Name),
            new("ExpFuncCode", l.ExpFuncCode),
            new("PayDate", BankContext.Date(businessDate)),
            new("AgentBusinessNo", l.BusinessNo),
            new("PayAmt", new Amount(l.AmountFen).ToWire()),
        ]));
        return new Voucher(header, details);
    }

    private sealed record ReportLine(long VoucherId, string VoucherNo, long Line, string AgencyCode, string ExpFuncCode, long AmountFen, string BusinessNo);
}
