using OpenTreasury.Business.Bank;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Ledgers;
using OpenTreasury.Domain.Money;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>账务处理: Finance's journal posts each voucher event once, balances, and its expenditure is what was paid less refunds.</summary>
public sealed class JournalTests : IDisposable
{
    private const string Agency2 = "102001";
    private const string Func2 = "2050201";
    private static readonly DateOnly Day = TestNetwork.BusinessDate;

    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    private FinanceDesk Finance => _net.Finance.FinanceDesk!;

    private BankDesk Bank => _net.Bank102.BankDesk!;

    private FinanceJournal Journal => new(_net.Finance.Library);

    private static Amount Yuan(string wire) => Amount.ParseWire(wire);

    /// <summary>
    /// Quota 1000.00; authorized 300.00 and 150.00 paid, cleared, reported (2207); direct 2500.00 paid; an
    /// allocation of 300.00 + 200.00; then refunds of 120.00 (authorized), 500.00 (direct), 50.00 (实拨).
    /// </summary>
    private async Task ADayAsync()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Yuan("1000.00")));
        Finance.SubmitPayment(_net.Order("ZF-0001", Yuan("300.00")), Day).ThrowIfRefused();
        Finance.SubmitPayment(_net.Order("ZF-0002", Yuan("150.00")), Day).ThrowIfRefused();
        Finance.SubmitDirectPayment(new DirectPaymentOrder("ZJ-0001", TestNetwork.Agency, TestNetwork.FuncCode, Yuan("2500.00"), _net.Master.Payees[0], "办公设备采购"), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        Bank.RequestClearing(Day);
        await _net.SettleAndProcessAsync();
        Bank.SendDailyReport(Day);
        await _net.SettleAndProcessAsync();

        Finance.IssueAllocation(new AllocationOrder("SB-0001", _net.Master.Payees[0],
            [new(TestNetwork.Agency, TestNetwork.FuncCode, Yuan("300.00")), new(Agency2, Func2, Yuan("200.00"))], "实拨经费"), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
    }

    private async Task RefundsAsync()
    {
        Bank.RefundPayment("TK-0001", "ZF-0001", 1, Yuan("120.00"), "收款人账户信息有误, 款项退回", Day).ThrowIfRefused();
        Bank.RefundPayment("TK-0002", "ZJ-0001", 1, Yuan("500.00"), "合同取消, 收款人退回", Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        _net.Pboc.PbocDesk!.SendAllocationRefund("SB-0001", Yuan("50.00"), "多拨退回", "TH-0001", Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
    }

    [Fact]
    public async Task A_day_of_payments_posts_each_event_once_and_the_trial_balance_balances()
    {
        await ADayAsync();

        var first = Journal.PostPending();
        Assert.Equal(["533103/5105:ED102202603", "533103/8202:ZF-0001", "533103/8202:ZF-0002", "533103/5201:ZJ-0001", "533103/5207:SB-0001"], first.Posted.Select(e => e.VoucherRef));
        Assert.All(first.Posted, e => Assert.Null(e.Refusal));

        var again = Journal.PostPending();
        Assert.Equal(0, again.Count);
        Assert.Equal(5, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM finance_journal"));
        Assert.Equal(12, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM finance_postings")); // the 5207 has two lines

        var tb = Journal.TrialBalance();
        Assert.True(tb.IsBalanced);
        Assert.Equal(Yuan("4450.00"), tb.TotalDebits); // 1000 quota + 450 authorized + 2500 direct + 500 allocation
        Assert.Equal(Yuan("550.00"), tb.BalanceOf(Accounts.QuotaReceivable, TestNetwork.Agency, TestNetwork.FuncCode)); // issued − paid = quota left
        Assert.Equal(Yuan("3250.00"), tb.BalanceOf(Accounts.Expenditure, TestNetwork.Agency, TestNetwork.FuncCode)); // 450 + 2500 + 300
        Assert.Equal(Yuan("200.00"), tb.BalanceOf(Accounts.Expenditure, Agency2, Func2));
        Assert.Equal(Yuan("-500.00"), tb.Account(Accounts.TreasuryDeposit).Balance);
        Assert.Equal(Yuan("-3500.00"), tb.Account(Accounts.AppropriationRevenue).Balance);
    }

    [Fact]
    public async Task Expenditure_per_unit_and_class_is_what_was_paid_less_refunds()
    {
        await ADayAsync();
        Journal.PostPending();
        await RefundsAsync();

        var refunds = Journal.PostPending();
        Assert.Equal(["533103/2302:TK-0001", "533103/2302:TK-0002", "533103/3208:TH-0001"], refunds.Posted.Select(e => e.VoucherRef).Order(StringComparer.Ordinal));
        Assert.Equal(0, Journal.PostPending().Count);

        var tb = Journal.TrialBalance();
        Assert.True(tb.IsBalanced);
        // Paid: authorized reported 450.00 + direct paid 2500.00 + allocated 300.00; refunded 120.00 + 500.00 + 50.00 (the 3208 takes the first line first).
        Assert.Equal(Yuan("2580.00"), tb.BalanceOf(Accounts.Expenditure, TestNetwork.Agency, TestNetwork.FuncCode));
        Assert.Equal(Yuan("200.00"), tb.BalanceOf(Accounts.Expenditure, Agency2, Func2));
        Assert.Equal(Yuan("670.00"), tb.BalanceOf(Accounts.QuotaReceivable, TestNetwork.Agency, TestNetwork.FuncCode)); // issued − paid + refunded
        Assert.Equal(Yuan("-450.00"), tb.Account(Accounts.TreasuryDeposit).Balance);
        Assert.Equal(new HashSet<string>(StringComparer.Ordinal) { "533103/5105:ED102202603", "533103/8202:ZF-0001", "533103/8202:ZF-0002", "533103/5201:ZJ-0001", "533103/5207:SB-0001", "533103/2302:TK-0001", "533103/2302:TK-0002", "533103/3208:TH-0001" },
            Journal.Entries().Select(e => e.VoucherRef).ToHashSet(StringComparer.Ordinal));
    }

    [Fact]
    public void A_posting_with_both_sides_or_a_negative_amount_is_refused_by_the_table()
    {
        using var connection = _net.Finance.Library.Database.Connect();
        Dapper.SqlMapper.Execute(connection, "INSERT INTO vouchers (id, origin, sender, adm_div_code, st_year, vt_code, voucher_no, version, flag, state, inner_xml, digest, vou_date, created_at, updated_at) VALUES (9999, 'own', 'x', 'x', 2026, '5105', 'X', 1, 0, 'sent', @inner, 'd', '20260302', 't', 't')", new { inner = new byte[] { 0 } });
        Dapper.SqlMapper.Execute(connection, "INSERT INTO finance_journal (id, entry_no, entry_date, voucher_ref, source_voucher_id, posted_at) VALUES (1, 'JZ1', '20260302', 'x', 9999, 't')");
        Assert.ThrowsAny<System.Data.Common.DbException>(() => Dapper.SqlMapper.Execute(connection, "INSERT INTO finance_postings VALUES (1, 1, '5001', '1', 'a', 'f', 100, 100)"));
        Assert.ThrowsAny<System.Data.Common.DbException>(() => Dapper.SqlMapper.Execute(connection, "INSERT INTO finance_postings VALUES (1, 1, '5001', '1', 'a', 'f', -100, 0)"));
        Assert.ThrowsAny<System.Data.Common.DbException>(() => Dapper.SqlMapper.Execute(connection, "INSERT INTO finance_journal (id, entry_no, entry_date, voucher_ref, source_voucher_id, posted_at) VALUES (2, 'JZ2', '20260302', 'x', 9999, 't')"));
    }

    [Fact]
    public async Task A_journal_posted_before_the_divisions_books_names_each_entrys_division_when_the_store_is_opened()
    {
        await ADayAsync();
        var before = Journal.PostPending().Posted.Select(e => e.VoucherRef).ToList();

        // The journal as the build before 0015 left it: keys without their division, 0015 (and any later step) not recorded.
        using (var connection = _net.Finance.Library.Database.Connect())
        {
            Dapper.SqlMapper.Execute(connection, "UPDATE finance_journal SET voucher_ref = SUBSTR(voucher_ref, 8)");
            Storage.LaterMigrations.UndoFrom(connection, 15);
        }

        Assert.DoesNotContain(new FinanceJournal(_net.Finance.Library).Entries(), e => e.VoucherRef.Contains('/', StringComparison.Ordinal));
        Node.Storage.NodeDatabase.ReleaseAll();
        var reopened = new Node.Library.VoucherLibrary(Node.Storage.NodeDatabase.OpenNode(Path.Combine(_net.Directory, _net.Finance.Party.ToString())), _net.Finance.Library.Signing, _net.Clock);
        var journal = new FinanceJournal(reopened);

        Assert.Equal(before, journal.Entries().Select(e => e.VoucherRef));
        Assert.Equal(0, journal.PostPending().Count);
    }
}
