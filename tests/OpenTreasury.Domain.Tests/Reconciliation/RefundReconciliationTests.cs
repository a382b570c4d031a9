using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Reconciliation;

namespace OpenTreasury.Domain.Tests.Reconciliation;

/// <summary>Finance's reconciliation of refunds (退款): PBOC's 2302 回单 against the banks' 2208/2203, and quota net of refunds.</summary>
public sealed class RefundReconciliationTests
{
    private static RefundRecord Refund(string no, string amount, string payType = "12", string func = "2010301") =>
        new(no, "102", payType, "101001", func, Amount.ParseWire(amount));

    private static PaymentRecord Paid(string no, string amount) => new(no, "102", "101001", "2010301", Amount.ParseWire(amount));

    private static FinanceBooks Books(RefundRecord[] credited, RefundRecord[] reported, PaymentRecord[]? paid = null, string quota = "1000.00") =>
        new([new QuotaRecord("ED-1", "102", "101001", "2010301", Amount.ParseWire(quota))], paid ?? [], paid ?? [], [.. (paid ?? []).Select(p => new ClearedRecord("HK-1", p.Bank, p.AgencyCode, p.ExpFuncCode, p.Amount))])
        {
            RefundsCredited = credited,
            RefundsReported = reported,
        };

    [Fact]
    public void Refunds_credited_and_reported_alike_balance()
    {
        var report = FinanceReconciliation.Reconcile(Books(
            [Refund("TK-1", "100.00"), Refund("TK-2", "20.50", "11")],
            [Refund("TK-1", "100.00"), Refund("TK-2", "20.50", "11")]));

        Assert.True(report.Balanced, string.Join("; ", report.Mismatches.Select(m => m.Description)));
    }

    [Fact]
    public void A_refund_on_one_side_only_or_of_another_amount_is_named()
    {
        var report = FinanceReconciliation.Reconcile(Books(
            [Refund("TK-1", "100.00"), Refund("TK-2", "20.50", "11")],
            [Refund("TK-1", "99.99"), Refund("TK-3", "5.00")]));

        Assert.Equal(3, report.Mismatches.Count);
        var differs = Assert.Single(report.Mismatches, m => m.Kind == MismatchKind.AmountDiffers);
        Assert.Equal(["TK-1"], differs.VoucherNos);
        Assert.Equal((Amount.ParseWire("100.00"), Amount.ParseWire("99.99")), (differs.Expected, differs.Actual));
        Assert.Equal(["TK-2"], Assert.Single(report.Mismatches, m => m.Kind == MismatchKind.Missing).VoucherNos);
        Assert.Equal(["TK-3"], Assert.Single(report.Mismatches, m => m.Kind == MismatchKind.Extra).VoucherNos);
        Assert.All(report.Mismatches, m => Assert.Contains("退款", m.Description, StringComparison.Ordinal));
    }

    [Fact]
    public void A_refund_of_another_pay_type_is_named_even_at_the_same_amount()
    {
        var report = FinanceReconciliation.Reconcile(Books([Refund("TK-1", "100.00", "12")], [Refund("TK-1", "100.00", "11")]));

        Assert.Equal(MismatchKind.AmountDiffers, Assert.Single(report.Mismatches).Kind);
    }

    [Fact]
    public void Quota_is_checked_against_payments_less_the_authorized_refunds_PBOC_took_back()
    {
        // Paid 1100.00 on a quota of 1000.00, of which 150.00 came back: 950.00 is within it.
        var within = FinanceReconciliation.Reconcile(Books(
            [Refund("TK-1", "150.00")], [Refund("TK-1", "150.00")], [Paid("ZF-1", "600.00"), Paid("ZF-2", "500.00")]));
        Assert.True(within.Balanced, string.Join("; ", within.Mismatches.Select(m => m.Description)));

        // A direct-payment refund gives back no authorized quota: 1100.00 overspends it.
        var direct = FinanceReconciliation.Reconcile(Books(
            [Refund("TK-1", "150.00", "11")], [Refund("TK-1", "150.00", "11")], [Paid("ZF-1", "600.00"), Paid("ZF-2", "500.00")]));
        var overspent = Assert.Single(direct.Mismatches);
        Assert.Equal((MismatchKind.Overspent, Amount.ParseWire("1100.00")), (overspent.Kind, overspent.Actual));
    }
}

/// <summary>Finance's day reconciliation carries PBOC's voucher statements it found not to match (实拨 5207 and 3208 are reconciled there).</summary>
public sealed class StatementInReconciliationTests
{
    [Fact]
    public void A_3501_that_did_not_match_is_a_mismatch_of_the_day_naming_the_statement_and_its_type()
    {
        var books = new FinanceBooks([], [], [], [])
        {
            StatementsDiffering = [new StatementRecord("3501", "DZ5207-20260302", "5207", 1, "5207 SB-0001: 金额 300.00 ≠ 299.99")],
        };

        var report = FinanceReconciliation.Reconcile(books);

        var mismatch = Assert.Single(report.Mismatches);
        Assert.Equal(MismatchKind.StatementDiffers, mismatch.Kind);
        Assert.Equal(["DZ5207-20260302"], mismatch.VoucherNos);
        Assert.Contains("(5207)", mismatch.Description, StringComparison.Ordinal);
        Assert.Contains("SB-0001", mismatch.Description, StringComparison.Ordinal);
        Assert.True(FinanceReconciliation.Reconcile(new FinanceBooks([], [], [], [])).Balanced);
    }
}
