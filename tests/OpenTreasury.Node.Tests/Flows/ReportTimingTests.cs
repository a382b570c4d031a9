using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>Seed 六: the bank's 2207 (授权) and 2209/2206 (直接) wait for PBOC's 2301 回单 of the payments they cover.</summary>
public sealed class ReportTimingTests : IDisposable
{
    private static readonly DateOnly Day = TestNetwork.BusinessDate;

    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    private FinanceDesk Finance => _net.Finance.FinanceDesk!;

    private async Task PaidNotClearedAsync()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("5000.00")));
        Finance.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("1234.50")), Day).ThrowIfRefused();
        Finance.SubmitDirectPayment(new DirectPaymentOrder("ZJ-0001", TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("2500.00"), _net.Master.Payees[0], "办公设备采购"), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        // The bank asks PBOC to clear; PBOC's 回单 is held back (nothing is delivered or handled yet).
        Assert.Equal(2, _net.Bank102.BankDesk!.RequestClearing(Day).Count);
    }

    [Fact]
    public async Task No_daily_report_or_credit_notice_goes_out_for_a_payment_whose_clearing_回单_has_not_arrived()
    {
        await PaidNotClearedAsync();

        Assert.Null(_net.Bank102.BankDesk!.SendDailyReport(Day));
        Assert.Empty(_net.Bank102.BankDesk.SendDirectPaymentReports(Day));

        Assert.Empty(_net.Bank102.Library.List("2207"));
        Assert.Empty(_net.Bank102.Library.List("2209"));
        Assert.Empty(_net.Bank102.Library.List("2206"));
        Assert.Equal(2, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM bank_payments WHERE reported_in IS NULL") + TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM bank_direct_payments WHERE noticed_in IS NULL AND reported_in IS NULL"));
    }

    [Fact]
    public async Task Once_the_回单_arrives_the_reports_cover_exactly_what_was_cleared()
    {
        await PaidNotClearedAsync();
        _net.Bank102.BankDesk!.SendDailyReport(Day);
        _net.Bank102.BankDesk.SendDirectPaymentReports(Day);

        await _net.SettleAndProcessAsync(); // PBOC clears and its 回单 arrive at the bank.
        Assert.NotNull(_net.Bank102.BankDesk.SendDailyReport(Day));
        Assert.Equal(2, _net.Bank102.BankDesk.SendDirectPaymentReports(Day).Count);
        await _net.SettleAndProcessAsync();

        var report = Assert.Single(_net.Bank102.Library.List("2207"), v => v.Origin == "own");
        Assert.Equal(("1234.50", "ZF-0001"), (report.Content["PayAmt"], Assert.Single(report.Content.Details)["VoucherNo"]));
        Assert.Equal("2500.00", Assert.Single(_net.Bank102.Library.List("2209"), v => v.Origin == "own").Content["PayAmt"]);
        Assert.Equal("2500.00", Assert.Single(_net.Bank102.Library.List("2206"), v => v.Origin == "own").Content["PayAmt"]);
        var reconciliation = Domain.Reconciliation.FinanceReconciliation.Reconcile(FinanceBooksReader.Read(_net.Finance.Library, _net.Master, Day));
        Assert.True(reconciliation.Balanced, string.Join("; ", reconciliation.Mismatches.Select(m => m.Description)));
    }
}
