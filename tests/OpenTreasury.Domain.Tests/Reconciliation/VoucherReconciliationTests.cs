using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Reconciliation;

namespace OpenTreasury.Domain.Tests.Reconciliation;

/// <summary>凭证对账 (3501/3502) line by line and 支付对账单 (4004/4005) per type: what differs, naming the voucher or type.</summary>
public sealed class VoucherReconciliationTests
{
    private static ReconLine Line(string no, string amount, string state = "12") => new(no, Amount.ParseWire(amount), state);

    private static TypeTotal Total(string vt, int count, string amount) => new(vt, count, Amount.ParseWire(amount));

    [Fact]
    public void The_same_lines_in_another_order_balance()
    {
        var mismatches = VoucherReconciliation.Compare(
            [Line("QS1", "100.00"), Line("QS2", "0.50", "5")],
            [Line("QS2", "0.50", "5"), Line("QS1", "100.00")]);

        Assert.Empty(mismatches);
    }

    [Fact]
    public void Each_difference_is_named_by_its_voucher_number_and_kind()
    {
        var mismatches = VoucherReconciliation.Compare(
            [Line("A", "1.00"), Line("B", "2.00"), Line("C", "3.00", "3"), Line("D", "4.00")],
            [Line("B", "2.01"), Line("C", "3.00", "5"), Line("D", "4.00"), Line("E", "5.00")]);

        Assert.Equal(
            [
                (VoucherMismatchKind.Missing, "A"),
                (VoucherMismatchKind.AmountDiffers, "B"),
                (VoucherMismatchKind.StatusDiffers, "C"),
                (VoucherMismatchKind.Extra, "E"),
            ],
            mismatches.Select(m => (m.Kind, m.Subject)));
        var amount = mismatches[1];
        Assert.Equal(("2.00", "2.01"), (amount.Theirs, amount.Ours));
        Assert.Contains("B", amount.Description, StringComparison.Ordinal);
        Assert.Equal(4, VoucherReconciliation.Describe(mismatches).Split('\n').Length);
    }

    [Fact]
    public void A_number_listed_twice_on_one_side_leaves_the_surplus_missing_or_extra()
    {
        Assert.Equal(VoucherMismatchKind.Missing, Assert.Single(VoucherReconciliation.Compare([Line("A", "1.00"), Line("A", "1.00")], [Line("A", "1.00")])).Kind);
        Assert.Equal(VoucherMismatchKind.Extra, Assert.Single(VoucherReconciliation.Compare([Line("A", "1.00")], [Line("A", "1.00"), Line("A", "1.00")])).Kind);
    }

    [Theory]
    [InlineData("5", "99", true)]
    [InlineData("99", "4", true)]
    [InlineData("2", "99", true)]
    [InlineData("3", "99", false)]
    [InlineData("12", "99", false)]
    [InlineData("12", "12", true)]
    [InlineData("3", "12", false)]
    public void A_voided_voucher_agrees_only_with_a_refusal_or_return(string theirs, string ours, bool agree) =>
        Assert.Equal(agree, VoucherReconciliation.StatesAgree(theirs, ours));

    [Fact]
    public void Totals_per_type_compare_count_and_amount()
    {
        var mismatches = VoucherReconciliation.CompareTotals(
            [Total("2301", 2, "300.00"), Total("5106", 1, "1000.00"), Total("5207", 1, "9.00")],
            [Total("2301", 1, "300.00"), Total("5106", 1, "999.99"), Total("5108", 1, "1.00")]);

        Assert.Equal(
            [
                (VoucherMismatchKind.CountDiffers, "2301"),
                (VoucherMismatchKind.AmountDiffers, "5106"),
                (VoucherMismatchKind.Extra, "5108"),
                (VoucherMismatchKind.Missing, "5207"),
            ],
            mismatches.Select(m => (m.Kind, m.Subject)));
    }

    [Fact]
    public void Totals_are_counted_and_summed_per_type_in_code_order()
    {
        var totals = VoucherReconciliation.Totals([("5106", Line("Q", "10.00")), ("2301", Line("H1", "1.25")), ("2301", Line("H2", "2.50"))]);

        Assert.Equal([Total("2301", 2, "3.75"), Total("5106", 1, "10.00")], totals);
        Assert.Empty(VoucherReconciliation.CompareTotals(totals, [Total("5106", 1, "10.00"), Total("2301", 2, "3.75")]));
    }
}
