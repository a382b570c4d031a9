using System.Data;
using System.Data.Common;
using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.Storage;

namespace OpenTreasury.Business.Finance;

/// <summary>
/// Reads Finance's books for reconciliation out of its voucher library: what it issued, what the banks
/// accepted and reported, what PBOC cleared; for 直接支付, the banks' 5201 回单, 2206 reports and PBOC's
/// clearing of 2301s of PayTypeCode 11, kept apart from the 授权支付 ones. It reads the voucher index
/// (<see cref="VoucherIndex"/>, migration 0011) with SQL, summing lines that reconciliation would only sum
/// (a payroll 8202's ten thousand payees are one row per unit and class), and parses no stored voucher.
/// </summary>
public static class FinanceBooksReader
{
    /// <summary>
    /// The books of one division (<paramref name="admDivCode"/>, the home division when null) on one business day
    /// (<paramref name="date"/>), or of everything when it is null: quota issued up to that day, payments of that day,
    /// the daily reports of that day, clearing done that day. Each division reconciles on its own: its vouchers are
    /// numbered in sequences of their own, so two divisions' books must never be compared as one.
    /// </summary>
    public static FinanceBooks Read(VoucherLibrary library, MasterData master, DateOnly? date = null, string? admDivCode = null)
    {
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(master);
        using var connection = library.Database.Connect();
        var day = date?.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        var adm = admDivCode ?? master.AdmDivCode;
        string On(string column) => (day is null ? string.Empty : $" AND {column} = @day") + " AND v.adm_div_code = @adm";
        var banksByNo = master.Banks.ToDictionary(b => b.BankNo, b => b.BankCode, StringComparer.Ordinal);
        string BankOf(LineSum l) => banksByNo.TryGetValue(l.PayBankNo ?? string.Empty, out var code)
            ? code
            : throw new InvalidDataException($"voucher {l.VoucherNo} names bank number {l.PayBankNo}, which is no agent bank of the network"); // PBOC's 回单 name the bank by its number

        List<LineSum> Sums(string vouchers, string voucherNo, string amount) => LineSum.Read(connection,
            $"""
            SELECT v.id, {voucherNo}, h.pay_bank_code, h.pay_bank_no, h.pay_type_code, v.vt_code, l.agency_code, l.exp_func_code, {amount}
            FROM vouchers v JOIN voucher_headers h ON h.voucher_id = v.id JOIN voucher_lines l ON l.voucher_id = v.id
            WHERE {vouchers}
            ORDER BY v.id, l.line
            """, new { day, adm });

        var quota = Sums($"v.origin = 'own' AND v.vt_code = '5105' AND v.flag = 0 AND v.state = 'sent'{(day is null ? string.Empty : " AND v.vou_date <= @day")} AND v.adm_div_code = @adm", "v.voucher_no", "l.plan_amt_fen")
            .Select(q => new QuotaRecord(q.VoucherNo, q.PayBankCode!, q.AgencyCode!, q.ExpFuncCode!, q.Total("PlanAmt")))
            .ToList();
        var accepted = Sums(
                $"v.origin = 'own' AND v.vt_code = '8202' AND v.flag = 0 AND EXISTS (SELECT 1 FROM deliveries d WHERE d.voucher_id = v.id AND d.status = {(int)VoucherStatus.SignedFor}){On("v.vou_date")}",
                "v.voucher_no", "l.pay_amt_fen")
            .Select(p => new PaymentRecord(p.VoucherNo, p.PayBankCode!, p.AgencyCode!, p.ExpFuncCode!, p.Total("PayAmt")))
            .ToList();
        var reported = Sums($"v.origin = 'received' AND v.vt_code = '2207' AND v.state = 'signed_for'{On("v.vou_date")}", "l.voucher_no", "l.pay_amt_fen")
            .Select(p => new PaymentRecord(p.VoucherNo, p.PayBankCode!, p.AgencyCode!, p.ExpFuncCode!, p.Total("PayAmt")))
            .ToList();
        var clearing = Sums($"v.origin = 'received' AND v.vt_code = '2301' AND v.flag = 1 AND v.state = 'signed_for'{On("h.x_clear_date")}", "v.voucher_no", "l.pay_amt_fen");
        List<ClearedRecord> Cleared(bool direct) => [.. clearing
            .Where(c => (c.PayTypeCode == DirectPayType) == direct)
            .Select(c => new ClearedRecord(c.VoucherNo, BankOf(c), c.AgencyCode!, c.ExpFuncCode!, c.Total("PayAmt")))];

        // 直接支付: the banks' 5201 回单 line by line (paid, or failed with XPayAmt 0.00), their 2206 daily reports, PBOC's type-11 clearing.
        var directLines = connection.Query<DirectLine>(
            $"""
            SELECT v.voucher_no AS VoucherNo, h.pay_bank_code AS PayBankCode, l.agency_code AS AgencyCode, l.exp_func_code AS ExpFuncCode,
                   COALESCE(l.payee_acct_no, h.payee_acct_no, '') AS PayeeAcctNo, l.pay_amt_fen AS PayAmtFen, COALESCE(l.x_pay_amt_fen, CAST(0 AS BIGINT)) AS PaidFen, l.x_add_word AS XAddWord
            FROM vouchers v JOIN voucher_headers h ON h.voucher_id = v.id JOIN voucher_lines l ON l.voucher_id = v.id
            WHERE v.origin = 'received' AND v.vt_code = '5201' AND v.flag = 1 AND v.state = 'signed_for'{On("h.x_pay_date")}
            ORDER BY v.id, l.line
            """, new { day, adm })
            .Select(l => (
                Paid: new Amount(l.PaidFen),
                Line: new DirectPaymentRecord(l.VoucherNo, l.PayBankCode!, l.AgencyCode!, l.ExpFuncCode!, l.PayeeAcctNo,
                    new Amount(l.PayAmtFen ?? throw new InvalidDataException($"5201 {l.VoucherNo} has a line without PayAmt")), l.XAddWord)))
            .ToList();
        var directReported = connection.Query<DirectLine>(
            $"""
            SELECT l.voucher_no AS VoucherNo, h.pay_bank_code AS PayBankCode, l.agency_code AS AgencyCode, l.exp_func_code AS ExpFuncCode,
                   COALESCE(l.payee_acct_no, '') AS PayeeAcctNo, CAST(SUM(l.pay_amt_fen) AS BIGINT) AS PayAmtFen, CAST(0 AS BIGINT) AS PaidFen, CAST(NULL AS TEXT) AS XAddWord
            FROM vouchers v JOIN voucher_headers h ON h.voucher_id = v.id JOIN voucher_lines l ON l.voucher_id = v.id
            WHERE v.origin = 'received' AND v.vt_code = '2206' AND v.state = 'signed_for'{On("v.vou_date")}
            GROUP BY l.voucher_no, h.pay_bank_code, l.agency_code, l.exp_func_code, COALESCE(l.payee_acct_no, '')
            ORDER BY MIN(v.id), MIN(l.line)
            """, new { day, adm })
            .Select(l => new DirectPaymentRecord(l.VoucherNo, l.PayBankCode!, l.AgencyCode!, l.ExpFuncCode!, l.PayeeAcctNo,
                new Amount(l.PayAmtFen ?? throw new InvalidDataException($"2206 line {l.VoucherNo} has no PayAmt"))))
            .ToList();

        // 退款: PBOC's 2302 回单 (lines negative) against the banks' 2208 and 2203 (lines negative, VoucherNo the refund's).
        var refundsCredited = Sums($"v.origin = 'received' AND v.vt_code = '2302' AND v.flag = 1 AND v.state = 'signed_for'{On("h.x_clear_date")}", "v.voucher_no", "l.pay_amt_fen")
            .Select(r => new RefundRecord(r.VoucherNo, BankOf(r), r.PayTypeCode ?? throw new InvalidDataException($"2302 {r.VoucherNo} has no PayTypeCode"),
                r.AgencyCode ?? string.Empty, r.ExpFuncCode!, -r.Total("PayAmt")))
            .ToList();
        var refundsReported = Sums($"v.origin = 'received' AND v.vt_code IN ('2208', '2203') AND v.state = 'signed_for'{On("v.vou_date")}", "l.voucher_no", "l.pay_amt_fen")
            .Select(r => new RefundRecord(r.VoucherNo, r.PayBankCode!, r.VtCode == "2208" ? "12" : DirectPayType, r.AgencyCode!, r.ExpFuncCode!, -r.Total("PayAmt")))
            .ToList();
        return new FinanceBooks(quota, accepted, reported, Cleared(direct: false))
        {
            DirectPaid = [.. directLines.Where(l => !l.Paid.IsZero).Select(l => l.Line with { Amount = l.Paid, FailureReason = null })],
            DirectFailed = [.. directLines.Where(l => l.Paid.IsZero).Select(l => l.Line)],
            DirectReported = directReported,
            DirectCleared = Cleared(direct: true),
            RefundsCredited = refundsCredited,
            RefundsReported = refundsReported,
            StatementsDiffering = [.. Statements.VoucherStatements.Read(library, date)
                .Where(c => c.StatementVtCode is "3501" or "4004" && !c.Balanced && c.AdmDivCode == adm)
                .Select(c => new StatementRecord(c.StatementVtCode, c.StatementNo, c.EVoucherType, c.MismatchCount, c.Mismatches))],
            Adjustments = [.. connection.Query<(string Subject, string Kind, string Reference, string Reason, string EnteredBy, string ApprovedBy)>(
                "SELECT subject, kind, reference, reason, entered_by, approved_by FROM finance_reconciliation_adjustments WHERE business_date = @day ORDER BY id",
                new { day = day ?? ReconciliationAdjustments.WholeRun })
                .Select(a => new AdjustmentRecord(a.Subject, a.Kind, a.Reference, a.Reason, a.EnteredBy, a.ApprovedBy))],
        };
    }

    /// <summary>PayTypeCode of 直接支付 (2301, 2206); 12 is 授权支付.</summary>
    private const string DirectPayType = "11";

    /// <summary>
    /// A voucher's lines of one kind that share bank, pay type, unit, class and voucher number, summed as they stream in
    /// (in voucher and line order): reconciliation only ever sums them, so a payroll 8202's ten thousand payee lines of
    /// one unit and class are one record. <see cref="Complete"/> is false when a line had no wire amount.
    /// </summary>
    private sealed record LineSum(
        string VoucherNo, string? PayBankCode, string? PayBankNo, string? PayTypeCode, string VtCode, string? AgencyCode, string? ExpFuncCode, long Fen, bool Complete)
    {
        public Amount Total(string field) => Complete ? new Amount(Fen) : throw new InvalidDataException($"{VtCode} {VoucherNo} has a line without a {field} amount");

        /// <summary>
        /// Reads the rows of <paramref name="sql"/> (voucher id, voucher number, pay bank code and number, pay type, VtCode,
        /// unit, class, amount in fen) with a plain data reader, since a day may hold a million of them.
        /// </summary>
        public static List<LineSum> Read(DbConnection connection, string sql, object parameters)
        {
            var sums = new List<LineSum>();
            using var reader = connection.ExecuteReader(sql, parameters);
            static string? Text(IDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
            var lastVoucher = -1L;
            while (reader.Read())
            {
                var voucher = reader.GetInt64(0);
                var line = new LineSum(reader.GetString(1), Text(reader, 2), Text(reader, 3), Text(reader, 4), reader.GetString(5), Text(reader, 6), Text(reader, 7),
                    reader.IsDBNull(8) ? 0 : reader.GetInt64(8), !reader.IsDBNull(8));
                var previous = sums.Count > 0 && voucher == lastVoucher ? sums[^1] : null;
                if (previous is not null && previous with { Fen = line.Fen, Complete = line.Complete } == line)
                {
                    sums[^1] = previous with { Fen = previous.Fen + line.Fen, Complete = previous.Complete && line.Complete };
                }
                else
                {
                    sums.Add(line);
                }

                lastVoucher = voucher;
            }

            return sums;
        }
    }

    private sealed class DirectLine
    {
        public string VoucherNo { get; init; } = string.Empty;

        public string? PayBankCode { get; init; }

        public string? AgencyCode { get; init; }

        public string? ExpFuncCode { get; init; }

        public string PayeeAcctNo { get; init; } = string.Empty;

        public long? PayAmtFen { get; init; }

        public long PaidFen { get; init; }

        public string? XAddWord { get; init; }
    }
}
