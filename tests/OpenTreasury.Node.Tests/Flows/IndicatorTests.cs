using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>预算指标: quota plans draw on the budget indicators above them and never pass them.</summary>
public sealed class IndicatorTests : IDisposable
{
    private readonly TestNetwork _net = new(indicators: false);

    public void Dispose() => _net.Dispose();

    private FinanceDesk Finance => _net.Finance.FinanceDesk!;

    private static Amount Yuan(string wire) => Amount.ParseWire(wire);

    private static QuotaPlanLine Plan(string amount, string agency = TestNetwork.Agency, string func = TestNetwork.FuncCode) => new(agency, func, Yuan(amount));

    [Fact]
    public void A_plan_with_no_indicator_above_it_is_refused_and_issues_nothing()
    {
        var result = Assert.Single(Finance.IssueQuota(3, TestNetwork.BusinessDate, [Plan("100.00")]));

        Assert.False(result.Ok);
        Assert.StartsWith($"{nameof(FinanceRejection.NoIndicator)} ({(int)FinanceRejection.NoIndicator})", result.Message, StringComparison.Ordinal);
        Assert.Empty(_net.Finance.Library.List("5105"));
    }

    [Fact]
    public async Task Plans_draw_on_the_indicator_until_one_would_pass_it_and_that_one_changes_nothing()
    {
        Finance.RegisterIndicators("芒财预〔2026〕1号", [new IndicatorLine(TestNetwork.Agency, TestNetwork.FuncCode, Yuan("1000.00"))]).ThrowIfRefused();
        Assert.All(Finance.IssueQuota(3, TestNetwork.BusinessDate, [Plan("600.00")]), r => Assert.True(r.Ok, r.Message));
        await _net.SettleAndProcessAsync();

        // April asks 400.01 with 400.00 left: refused whole, March's quota untouched.
        var refused = Assert.Single(Finance.IssueQuota(4, TestNetwork.BusinessDate, [Plan("400.01")]));
        Assert.StartsWith($"{nameof(FinanceRejection.IndicatorExceeded)} ({(int)FinanceRejection.IndicatorExceeded})", refused.Message, StringComparison.Ordinal);
        Assert.Contains("400.00", refused.Message, StringComparison.Ordinal);
        Assert.Single(_net.Finance.Library.List("5105"));

        // March's plan again (a rerun) draws nothing twice; exactly what is left still goes.
        Assert.All(Finance.IssueQuota(3, TestNetwork.BusinessDate, [Plan("600.00")]), r => Assert.True(r.Ok, r.Message));
        Assert.All(Finance.IssueQuota(4, TestNetwork.BusinessDate, [Plan("400.00")]), r => Assert.True(r.Ok, r.Message));
        await _net.SettleAndProcessAsync();
        Finance.SubmitPayment(_net.Order("ZF-0001", Yuan("250.00")), TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        var row = Assert.Single(Finance.Indicators());
        Assert.Equal((Yuan("1000.00"), Yuan("1000.00"), Yuan("250.00"), Amount.Zero, Yuan("750.00")), (row.Indicator, row.Planned, row.Paid, row.Left, row.QuotaLeft));
        Assert.Equal(2, _net.Finance.Library.List("5105").Count);
    }

    [Fact]
    public void An_indicator_is_added_to_under_a_new_reference_and_the_same_reference_again_adds_nothing()
    {
        IndicatorLine[] lines = [new(TestNetwork.Agency, TestNetwork.FuncCode, Yuan("1000.00"))];
        Finance.RegisterIndicators("芒财预〔2026〕1号", lines).ThrowIfRefused();
        Finance.RegisterIndicators("芒财预〔2026〕1号", lines).ThrowIfRefused();
        Finance.RegisterIndicators("芒财预〔2026〕7号 追加", [new(TestNetwork.Agency, TestNetwork.FuncCode, Yuan("0.50"))]).ThrowIfRefused();

        Assert.Equal(Yuan("1000.50"), Assert.Single(Finance.Indicators()).Indicator);
        Assert.Equal(2, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM finance_indicator_moves WHERE kind = 'indicator' AND entered_by <> approved_by"));
    }

    [Fact]
    public void The_database_refuses_a_plan_beyond_its_indicator_even_written_around_the_code()
    {
        Finance.RegisterIndicators("芒财预〔2026〕1号", [new IndicatorLine(TestNetwork.Agency, TestNetwork.FuncCode, Yuan("1.00"))]).ThrowIfRefused();

        var error = Assert.ThrowsAny<System.Data.Common.DbException>(() =>
            TestNetwork.Count(_net.Finance, "UPDATE finance_indicators SET planned_fen = 101"));

        Assert.Contains("check", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
