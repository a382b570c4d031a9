using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

using OpenTreasury.Domain.Ledgers;
using OpenTreasury.Domain.Money;

namespace OpenTreasury.Domain.Tests.Ledgers;

/// <summary>Sets of balanced entries: each splits a positive amount over one to three debits and one to three credits.</summary>
public static class BalancedEntriesArbitraries
{
    private static readonly string[] s_units = ["101001", "102001"];
    private static readonly string[] s_classes = ["2010301", "2050201"];

    private static Gen<IReadOnlyList<long>> Split(long total) =>
        Gen.Choose(1, 3).SelectMany(parts => Gen.ListOf(Gen.Choose(1, 1_000), parts).Select(weights =>
        {
            var sum = weights.Sum();
            var shares = weights.Select(w => total * w / sum).ToList();
            shares[^1] += total - shares.Sum();
            return (IReadOnlyList<long>)[.. shares.Where(s => s > 0)];
        }));

    private static Gen<(string Account, string Unit, string Func)> Leg() =>
        from account in Gen.Elements(Accounts.All.ToArray())
        from unit in Gen.Elements(s_units)
        from func in Gen.Elements(s_classes)
        select (account, unit, func);

    private static Gen<JournalEntry> Entry(int n) =>
        from total in Gen.Choose(1, 10_000_000)
        from debits in Split(total)
        from credits in Split(total)
        from drLegs in Gen.ListOf(Leg(), debits.Count)
        from crLegs in Gen.ListOf(Leg(), credits.Count)
        select JournalEntry.Create($"JZ{n:D4}", new DateOnly(2026, 3, 2), $"test:{n}",
        [
            .. debits.Zip(drLegs, (fen, l) => Posting.Dr(l.Account, "1", l.Unit, l.Func, new Amount(fen))),
            .. credits.Zip(crLegs, (fen, l) => Posting.Cr(l.Account, "1", l.Unit, l.Func, new Amount(fen))),
        ]);

    public static Arbitrary<JournalEntry[]> Entries() =>
        Arb.From(Gen.Choose(0, 20).SelectMany(count => Gen.ListOf(Gen.Choose(1, 1_000_000).SelectMany(Entry), count)).Select(e => e.ToArray()));
}

public sealed class JournalTests
{
    private static readonly DateOnly Day = new(2026, 3, 2);

    private static Amount Yuan(string wire) => Amount.ParseWire(wire);

    private static JournalEntry QuotaIssued(string no, string unit, string func, string amount) => JournalEntry.Create(no, Day, $"5105:{no}",
    [
        Posting.Dr(Accounts.QuotaReceivable, "1", unit, func, Yuan(amount)),
        Posting.Cr(Accounts.AppropriationRevenue, "1", unit, func, Yuan(amount)),
    ]);

    private static JournalEntry Paid(string no, string unit, string func, string amount) => JournalEntry.Create(no, Day, $"8202:{no}",
    [
        Posting.Dr(Accounts.Expenditure, "1", unit, func, Yuan(amount)),
        Posting.Cr(Accounts.QuotaReceivable, "1", unit, func, Yuan(amount)),
    ]);

    [Fact]
    public void An_entry_whose_debits_and_credits_differ_is_refused_with_both_totals()
    {
        var entry = new JournalEntry("JZ1", Day, "8202:ZF-0001",
        [
            Posting.Dr(Accounts.Expenditure, "1", "101001", "2010301", Yuan("300.00")),
            Posting.Cr(Accounts.QuotaReceivable, "1", "101001", "2010301", Yuan("299.99")),
        ]);

        Assert.Equal("debits 300.00 do not equal credits 299.99", entry.Refusal);
        var refused = Assert.Throws<ArgumentException>(() => JournalEntry.Create(entry.EntryNo, entry.Date, entry.VoucherRef, entry.Postings));
        Assert.Contains("debits 300.00 do not equal credits 299.99", refused.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TrialBalance.Of([entry]));
    }

    [Theory]
    [InlineData("100.00", "100.00", "not both")]
    [InlineData("-100.00", "0.00", "may not be negative")]
    [InlineData("0.00", "0.00", "positive amount")]
    public void A_posting_must_be_one_sided_and_positive(string debit, string credit, string reason)
    {
        var entry = new JournalEntry("JZ1", Day, "x",
        [
            new Posting(Accounts.Expenditure, "1", "101001", "2010301", Yuan(debit), Yuan(credit)),
            Posting.Cr(Accounts.QuotaReceivable, "1", "101001", "2010301", Yuan("100.00")),
        ]);

        Assert.Contains(reason, entry.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void An_account_outside_the_chart_and_a_one_legged_entry_are_refused()
    {
        Assert.Contains("not in the chart", new JournalEntry("JZ1", Day, "x",
        [
            Posting.Dr("9999", "1", "101001", "2010301", Yuan("1.00")),
            Posting.Cr(Accounts.QuotaReceivable, "1", "101001", "2010301", Yuan("1.00")),
        ]).Refusal, StringComparison.Ordinal);
        Assert.Contains("at least one debit and one credit", new JournalEntry("JZ1", Day, "x",
            [Posting.Dr(Accounts.Expenditure, "1", "101001", "2010301", Yuan("1.00"))]).Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void The_chart_names_its_accounts_in_Chinese()
    {
        Assert.Equal("零余额账户用款额度", Accounts.Name(Accounts.QuotaReceivable));
        Assert.Equal("财政拨款收入", Accounts.Name(Accounts.AppropriationRevenue));
        Assert.Equal("支出", Accounts.Name(Accounts.Expenditure));
        Assert.Equal("国库存款", Accounts.Name(Accounts.TreasuryDeposit));
    }

    [Fact]
    public void A_trial_balance_of_balanced_entries_balances_per_account_and_per_unit_and_class()
    {
        var tb = TrialBalance.Of(
        [
            QuotaIssued("JZ1", "101001", "2010301", "1000.00"),
            QuotaIssued("JZ2", "102001", "2050201", "500.00"),
            Paid("JZ3", "101001", "2010301", "300.00"),
            Paid("JZ4", "101001", "2010301", "20.50"),
        ]);

        Assert.True(tb.IsBalanced);
        Assert.Equal(Yuan("1820.50"), tb.TotalDebits);
        Assert.Equal(Yuan("1820.50"), tb.TotalCredits);
        Assert.Equal(Yuan("1179.50"), tb.Account(Accounts.QuotaReceivable).Balance);
        Assert.Equal(Yuan("-1500.00"), tb.Account(Accounts.AppropriationRevenue).Balance);
        Assert.Equal(Yuan("320.50"), tb.BalanceOf(Accounts.Expenditure, "101001", "2010301"));
        Assert.Equal(Yuan("679.50"), tb.BalanceOf(Accounts.QuotaReceivable, "101001", "2010301"));
        Assert.Equal(Amount.Zero, tb.BalanceOf(Accounts.Expenditure, "102001", "2050201"));
        Assert.Equal("零余额账户用款额度", tb.Account(Accounts.QuotaReceivable).AccountName);
    }

    [Property(MaxTest = 30, Arbitrary = [typeof(BalancedEntriesArbitraries)])]
    public bool Any_set_of_balanced_entries_gives_a_balanced_trial_balance(JournalEntry[] entries)
    {
        var tb = TrialBalance.Of(entries);
        var perLine = Amount.Sum(tb.ByUnitAndClass.Select(l => l.Balance));
        return tb.IsBalanced
            && perLine == Amount.Zero
            && tb.TotalDebits == Amount.Sum(entries.Select(e => e.TotalDebit))
            && Amount.Sum(tb.ByUnitAndClass.Select(l => l.Debits)) == tb.TotalDebits;
    }
}
