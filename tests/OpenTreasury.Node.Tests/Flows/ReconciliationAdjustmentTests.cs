using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>差错处理: a mismatch is resolved only by a correction voucher or an adjustment of two people; then the day reconciles.</summary>
public sealed class ReconciliationAdjustmentTests : IDisposable
{
    private static readonly DateOnly Day = TestNetwork.BusinessDate;

    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    private FinanceDesk Finance => _net.Finance.FinanceDesk!;

    private ReconciliationReport Reconcile() => FinanceReconciliation.Reconcile(FinanceBooksReader.Read(_net.Finance.Library, _net.Master, Day));

    [Fact]
    public async Task A_misbooked_day_balances_again_once_each_mismatch_is_resolved_by_two_people()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        Finance.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("100.00")), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        _net.Bank102.BankDesk!.RequestClearing(Day);
        await _net.SettleAndProcessAsync();
        Simulation.Demo.DemoFaults.MisbookFirstUnreportedLine(_net.Bank102, Day, 1).ThrowIfRefused();
        _net.Bank102.BankDesk.SendDailyReport(Day);
        await _net.SettleAndProcessAsync();

        var open = Reconcile();
        Assert.False(open.Balanced);
        Assert.Equal(LibraryRejection.NotFound, Finance.ResolveMismatch(Day, "no such subject", AdjustmentKind.Adjustment, "调整单 1", "银行记账差错").Rejection);
        Assert.Equal(LibraryRejection.ReasonRequired, Finance.ResolveMismatch(Day, open.Mismatches[0].Subject, AdjustmentKind.Adjustment, "调整单 1", " ").Rejection);
        Assert.Equal(open.Mismatches.Count, Reconcile().Mismatches.Count);

        foreach (var (mismatch, i) in open.Mismatches.Select((m, i) => (m, i)))
        {
            Finance.ResolveMismatch(Day, mismatch.Subject, AdjustmentKind.Correction, $"更正凭证 GZ-{i + 1}", "代理银行日报表记账差错, 已以更正凭证冲正").ThrowIfRefused();
        }

        var again = Reconcile();
        Assert.True(again.Balanced, string.Join("; ", again.Mismatches.Select(m => m.Description)));
        Assert.Equal(open.Mismatches.Select(m => m.Subject), again.Resolved.Select(r => r.Mismatch.Subject));
        Assert.All(again.Resolved, r => Assert.NotEqual(r.Adjustment.EnteredBy, r.Adjustment.ApprovedBy));
        Assert.Equal(LibraryRejection.NotFound, Finance.ResolveMismatch(Day, open.Mismatches[0].Subject, AdjustmentKind.Adjustment, "调整单 2", "再次").Rejection);
        Assert.ThrowsAny<System.Data.Common.DbException>(() => TestNetwork.Count(_net.Finance, "DELETE FROM finance_reconciliation_adjustments"));
    }
}
