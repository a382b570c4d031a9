using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Wire;

namespace OpenTreasury.Business.Finance;

/// <summary>
/// Reads Finance's books for reconciliation out of its voucher library: what it issued, what the banks
/// accepted and reported, what PBOC cleared; for 直接支付, the banks' 5201 回单, 2206 reports and PBOC's
/// clearing of 2301s of PayTypeCode 11, kept apart from the 授权支付 ones.
/// </summary>
public static class FinanceBooksReader
{
    /// <summary>
    /// The books of one business day (<paramref name="date"/>), or of everything when it is null: quota
    /// issued up to that day, payments of that day, the daily reports of that day, clearing done that day.
    /// </summary>
    public static FinanceBooks Read(VoucherLibrary library, MasterData master, DateOnly? date = null)
    {
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(master);
        using var connection = library.Database.Connect();
        var day = date?.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        bool Today(Voucher v, string field) => day is null || v[field] == day;
        string BankOf(Voucher v) => master.Banks.Single(b => b.BankNo == v.Require("PayBankNo")).BankCode; // PBOC's 回单 name the bank by its number
        var quota = Contents(connection, "origin = 'own' AND vt_code = '5105' AND flag = 0 AND state = 'sent'")
            .Where(v => day is null || string.CompareOrdinal(v.Require("VouDate"), day) <= 0)
            .SelectMany(v => v.Details.Select(d => new QuotaRecord(v.Require("VoucherNo"), v.Require("PayBankCode"), d["AgencyCode"]!, d["ExpFuncCode"]!, Amount.ParseWire(d["PlanAmt"]!))))
            .ToList();
        var accepted = Contents(connection,
                $"origin = 'own' AND vt_code = '8202' AND flag = 0 AND EXISTS (SELECT 1 FROM deliveries d WHERE d.voucher_id = vouchers.id AND d.status = {(int)VoucherStatus.SignedFor})")
            .Where(v => Today(v, "VouDate"))
            .SelectMany(v => v.Details.Select(d => new PaymentRecord(v.Require("VoucherNo"), v.Require("PayBankCode"), d["AgencyCode"]!, d["ExpFuncCode"]!, Amount.ParseWire(d["PayAmt"]!))))
            .ToList();
        var reported = Contents(connection, "origin = 'received' AND vt_code = '2207' AND state = 'signed_for'")
            .Where(v => Today(v, "VouDate"))
            .SelectMany(v => v.Details.Select(d => new PaymentRecord(d["VoucherNo"]!, v.Require("PayBankCode"), d["AgencyCode"]!, d["ExpFuncCode"]!, Amount.ParseWire(d["PayAmt"]!))))
            .ToList();
        var clearing = Contents(connection, "origin = 'received' AND vt_code = '2301' AND flag = 1 AND state = 'signed_for'")
            .Where(v => Today(v, "XClearDate"))
            .ToList();
        List<ClearedRecord> Cleared(bool direct) => [.. clearing
            .Where(v => (v["PayTypeCode"] == DirectPayType) == direct)
            .SelectMany(v => v.Details.Select(d => new ClearedRecord(v.Require("VoucherNo"), BankOf(v), d["AgencyCode"]!, d["ExpFuncCode"]!, Amount.ParseWire(d["PayAmt"]!))))];

        // 直接支付: the banks' 5201 回单 line by line (paid, or failed with XPayAmt 0.00), their 2206 daily reports, PBOC's type-11 clearing.
        var directLines = Contents(connection, "origin = 'received' AND vt_code = '5201' AND flag = 1 AND state = 'signed_for'")
            .Where(v => Today(v, "XPayDate"))
            .SelectMany(v => v.Details.Select(d => (
                Paid: Amount.ParseWire(d["XPayAmt"] ?? "0.00"),
                Line: new DirectPaymentRecord(v.Require("VoucherNo"), v.Require("PayBankCode"), d["AgencyCode"]!, d["ExpFuncCode"]!,
                    d["PayeeAcctNo"] ?? v["PayeeAcctNo"] ?? string.Empty, Amount.ParseWire(d["PayAmt"]!), d["XAddWord"]))))
            .ToList();
        var directReported = Contents(connection, "origin = 'received' AND vt_code = '2206' AND state = 'signed_for'")
            .Where(v => Today(v, "VouDate"))
            .SelectMany(v => v.Details.Select(d => new DirectPaymentRecord(d["VoucherNo"]!, v.Require("PayBankCode"), d["AgencyCode"]!, d["ExpFuncCode"]!,
                d["PayeeAcctNo"] ?? string.Empty, Amount.ParseWire(d["PayAmt"]!))))
            .ToList();
        // 退款: PBOC's 2302 回单 (lines negative) against the banks' 2208 and 2203 (lines negative, VoucherNo the refund's).
        var refundsCredited = Contents(connection, "origin = 'received' AND vt_code = '2302' AND flag = 1 AND state = 'signed_for'")
            .Where(v => Today(v, "XClearDate"))
            .SelectMany(v => v.Details.Select(d => new RefundRecord(v.Require("VoucherNo"), BankOf(v), v.Require("PayTypeCode"), d["AgencyCode"] ?? string.Empty, d["ExpFuncCode"]!, -Amount.ParseWire(d["PayAmt"]!))))
            .ToList();
        var refundsReported = Contents(connection, "origin = 'received' AND vt_code IN ('2208', '2203') AND state = 'signed_for'")
            .Where(v => Today(v, "VouDate"))
            .SelectMany(v => v.Details.Select(d => new RefundRecord(d["VoucherNo"]!, v.Require("PayBankCode"), v.Require("VtCode") == "2208" ? "12" : DirectPayType,
                d["AgencyCode"]!, d["ExpFuncCode"]!, -Amount.ParseWire(d["PayAmt"]!))))
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
                .Where(c => c.StatementVtCode is "3501" or "4004" && !c.Balanced)
                .Select(c => new StatementRecord(c.StatementVtCode, c.StatementNo, c.EVoucherType, c.MismatchCount, c.Mismatches))],
            Adjustments = [.. connection.Query<(string Subject, string Kind, string Reference, string Reason, string EnteredBy, string ApprovedBy)>(
                "SELECT subject, kind, reference, reason, entered_by, approved_by FROM finance_reconciliation_adjustments WHERE business_date = @day ORDER BY id",
                new { day = day ?? ReconciliationAdjustments.WholeRun })
                .Select(a => new AdjustmentRecord(a.Subject, a.Kind, a.Reference, a.Reason, a.EnteredBy, a.ApprovedBy))],
        };
    }

    /// <summary>PayTypeCode of 直接支付 (2301, 2206); 12 is 授权支付.</summary>
    private const string DirectPayType = "11";

    private static IEnumerable<Voucher> Contents(System.Data.IDbConnection connection, string where) =>
        connection.Query<byte[]>($"SELECT inner_xml FROM vouchers WHERE {where} ORDER BY id")
            .Select(bytes => VoucherXml.Read(bytes).Value);
}
