using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Reconciliation;

namespace OpenTreasury.Domain.Tests.Reconciliation;

/// <summary>Finance's reconciliation of 直接支付: 5201 回单 lines against the 2206, and the 2206 against PBOC's type-11 clearing.</summary>
public sealed class DirectPaymentReconciliationTests
{
    private const string Good = "53001638736050012345";
    private const string Closed = "53001638736050010000";

    private static DirectPaymentRecord Line(string voucherNo, string amount, string payee = Good, string func = "2010301", string? failure = null) =>
        new(voucherNo, "102", "101001", func, payee, Amount.ParseWire(amount), failure);

    private static ClearedRecord Cleared(string amount, string func = "2010301") =>
        new("HK10220260302001", "102", "101001", func, Amount.ParseWire(amount));

    private static FinanceBooks Books(DirectPaymentRecord[] paid, DirectPaymentRecord[] reported, ClearedRecord[] cleared, DirectPaymentRecord[]? failed = null) =>
        new([], [], [], []) { DirectPaid = paid, DirectReported = reported, DirectCleared = cleared, DirectFailed = failed ?? [] };

    [Fact]
    public void Paid_reported_and_cleared_alike_balance_and_a_failed_line_left_out_of_the_report_is_no_mismatch()
    {
        var report = FinanceReconciliation.Reconcile(Books(
            [Line("ZJ-1", "1000.00"), Line("ZJ-2", "20.05", func: "2010350")],
            [Line("ZJ-1", "1000.00"), Line("ZJ-2", "20.05", func: "2010350")],
            [Cleared("1000.00"), Cleared("20.05", "2010350")],
            failed: [Line("ZJ-1", "600.00", Closed, failure: "收款人账户已销户")]));

        Assert.True(report.Balanced, string.Join("; ", report.Mismatches.Select(m => m.Description)));
        Assert.Equal(Amount.ParseWire("1020.05"), report.DirectPaid);
        Assert.Equal(Amount.ParseWire("1020.05"), report.DirectCleared);
    }

    [Fact]
    public void A_failed_line_the_report_lists_as_paid_is_named_with_its_reason()
    {
        var report = FinanceReconciliation.Reconcile(Books(
            [Line("ZJ-1", "1000.00")],
            [Line("ZJ-1", "1000.00"), Line("ZJ-1", "600.00", Closed)],
            [Cleared("1600.00")],
            failed: [Line("ZJ-1", "600.00", Closed, failure: "收款人账户已销户")]));

        var mismatch = Assert.Single(report.Mismatches, m => m.Kind == MismatchKind.FailedReportedAsPaid);
        Assert.Equal(["ZJ-1"], mismatch.VoucherNos);
        Assert.Equal((Amount.Zero, Amount.ParseWire("600.00")), (mismatch.Expected, mismatch.Actual));
        Assert.Contains("收款人账户已销户", mismatch.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_extra_and_differing_lines_each_name_their_voucher()
    {
        var report = FinanceReconciliation.Reconcile(Books(
            [Line("ZJ-1", "100.00"), Line("ZJ-2", "50.00")],
            [Line("ZJ-2", "50.01"), Line("ZJ-3", "7.00")],
            [Cleared("57.01")]));

        Assert.Equal(MismatchKind.Missing, Assert.Single(report.Mismatches, m => m.VoucherNos.SequenceEqual(["ZJ-1"])).Kind);
        var differs = Assert.Single(report.Mismatches, m => m.Subject == "5201 ZJ-2");
        Assert.Equal((MismatchKind.AmountDiffers, Amount.ParseWire("50.00"), Amount.ParseWire("50.01")), (differs.Kind, differs.Expected, differs.Actual));
        Assert.Equal(MismatchKind.Extra, Assert.Single(report.Mismatches, m => m.VoucherNos.SequenceEqual(["ZJ-3"])).Kind);
        Assert.DoesNotContain(report.Mismatches, m => m.Subject.StartsWith("direct clearing", StringComparison.Ordinal));
    }

    [Fact]
    public void The_report_against_type_11_clearing_differs_per_bank_unit_and_class()
    {
        var report = FinanceReconciliation.Reconcile(Books(
            [Line("ZJ-1", "100.00"), Line("ZJ-2", "30.00", func: "2010350")],
            [Line("ZJ-1", "100.00"), Line("ZJ-2", "30.00", func: "2010350")],
            [Cleared("130.00")]));

        Assert.Equal(2, report.Mismatches.Count);
        Assert.All(report.Mismatches, m => Assert.Equal(MismatchKind.AmountDiffers, m.Kind));
        var unit = Assert.Single(report.Mismatches, m => m.Subject.Contains("class 2010301", StringComparison.Ordinal));
        Assert.Equal((Amount.ParseWire("100.00"), Amount.ParseWire("130.00")), (unit.Expected, unit.Actual));
    }

    [Fact]
    public void Direct_payments_leave_the_authorized_books_alone()
    {
        var report = FinanceReconciliation.Reconcile(Books([Line("ZJ-1", "100.00")], [Line("ZJ-1", "100.00")], [Cleared("100.00")]));

        Assert.True(report.Balanced);
        Assert.Equal((Amount.Zero, Amount.Zero, Amount.Zero), (report.QuotaIssued, report.Paid, report.Cleared));
    }
}
