using OpenTreasury.Business.Finance;
using OpenTreasury.Business.Pboc;
using OpenTreasury.Domain.Money;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>国库单一账户: every clearing and allocation debits PBOC's treasury account, every refund credits it; it never goes below zero.</summary>
public sealed class TreasuryAccountTests : IDisposable
{
    private static readonly DateOnly Day = TestNetwork.BusinessDate;

    private readonly TestNetwork _net = new(openTreasury: false);

    public void Dispose() => _net.Dispose();

    private FinanceDesk Finance => _net.Finance.FinanceDesk!;

    private PbocDesk Pboc => _net.Pboc.PbocDesk!;

    private static Amount Yuan(string wire) => Amount.ParseWire(wire);

    private async Task PayAndClearAsync(string voucherNo, string amount)
    {
        Finance.SubmitPayment(_net.Order(voucherNo, Yuan(amount)), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        _net.Bank102.BankDesk!.RequestClearing(Day);
        await _net.SettleAndProcessAsync();
    }

    [Fact]
    public async Task Clearing_allocation_and_refunds_move_the_account_and_its_day_book_balances_to_the_fen()
    {
        Pboc.OpenTreasuryAccount(Yuan("10000.00")).ThrowIfRefused();
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Yuan("5000.00")));
        await PayAndClearAsync("ZF-0001", "1234.56");
        Finance.IssueAllocation(new AllocationOrder("SB-0001", _net.Master.Payees[0], [new(TestNetwork.Agency, TestNetwork.FuncCode, Yuan("300.00"))], "实拨经费"), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        _net.Bank102.BankDesk!.RefundPayment("TK-0001", "ZF-0001", 1, Yuan("34.56"), "收款人退回部分款项", Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        Pboc.SendAllocationRefund("SB-0001", Yuan("100.00"), "收款单位退回多拨款项", "TK-0002", Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        var book = Pboc.TreasuryBook(Day);
        Assert.Equal(
            (Yuan("10000.00"), Yuan("1234.56"), Yuan("300.00"), Yuan("34.56"), Yuan("100.00"), Yuan("8600.00")),
            (book.Opening, book.Cleared, book.Allocated, book.Refunded, book.AllocationRefunded, book.Closing));
        Assert.True(book.Balances);
        Assert.Equal(book.Closing, Pboc.TreasuryBalance());
        Assert.Equal(book, Pboc.TreasuryBook(null));
        Assert.Equal(4, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM pboc_treasury_movements"));

        // The next day opens with the last day's closing.
        var next = Pboc.TreasuryBook(Day.AddDays(1));
        Assert.Equal((Yuan("8600.00"), Amount.Zero, Yuan("8600.00")), (next.Opening, next.Cleared, next.Closing));

        // The closing is the stored balance: a balance changed around the movements no longer balances.
        TestNetwork.Count(_net.Pboc, "UPDATE pboc_treasury SET balance_fen = balance_fen - 1");
        Assert.False(Pboc.TreasuryBook(null).Balances);
        Assert.False(Pboc.TreasuryBook(Day).Balances);
    }

    [Fact]
    public async Task A_clearing_beyond_the_balance_is_returned_with_its_code_and_changes_no_book()
    {
        Pboc.OpenTreasuryAccount(Yuan("1000.00")).ThrowIfRefused();
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Yuan("5000.00")));

        await PayAndClearAsync("ZF-0001", "1000.01");

        var request = Assert.Single(_net.Pboc.Library.List("2301"), v => !v.IsReply);
        var delivery = _net.Bank102.Library.Deliveries(_net.Bank102.Library.List("2301").Single(v => v.Origin == "own" && !v.IsReply).Id).Single();
        Assert.Equal(Domain.Vouchers.VoucherStatus.Returned, delivery.Status);
        Assert.StartsWith($"{nameof(PbocRejection.InsufficientTreasuryBalance)} ({(int)PbocRejection.InsufficientTreasuryBalance})", delivery.Reason, StringComparison.Ordinal);
        Assert.Equal(Yuan("1000.00"), Pboc.TreasuryBalance());
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM pboc_treasury_movements"));
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM pboc_clearings"));
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT COALESCE(SUM(cleared_fen), 0) FROM pboc_clearing_quotas"));
        Assert.Equal("received", request.Origin);
    }

    [Fact]
    public void The_balance_cannot_go_below_zero_even_written_around_the_code()
    {
        Pboc.OpenTreasuryAccount(Yuan("1.00")).ThrowIfRefused();

        var error = Assert.ThrowsAny<System.Data.Common.DbException>(() =>
            TestNetwork.Count(_net.Pboc, "UPDATE pboc_treasury SET balance_fen = balance_fen - 101"));

        Assert.Contains("check", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Yuan("1.00"), Pboc.TreasuryBalance());
    }
}
