using System.Text.Json;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Network;
using OpenTreasury.Printing.Tests;

namespace OpenTreasury.Node.Tests.Cli;

/// <summary>
/// <c>treasury paper take|register|reconcile</c> as the operators type them, on a network whose 8202 is stuck in Finance's
/// outbox: taken to paper by two people and printed 应急纸质, paid at the bank's counter, reconciled balanced.
/// </summary>
public sealed class PaperCliTests : IDisposable
{
    private const string Pin = MasterData.DemoPinOfEveryToken;

    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    [Fact]
    public async Task A_stuck_payment_goes_to_paper_is_paid_at_the_counter_and_reconciles()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        _net.Finance.FinanceDesk!.SubmitPayment(_net.Order("ZF-0101", Amount.ParseWire("300.00")), TestNetwork.BusinessDate).ThrowIfRefused();
        var dir = _net.Directory;
        var pdf = Path.Combine(dir, "ZF-0101.pdf");
        string[] take = ["paper", "take", "--data", dir, "--no", "ZF-0101", "--reason", "与代理银行链路中断", "--clerk", TestNetwork.FinanceClerk, "--clerk-pin", Pin];

        var alone = await Cli.RunAsync([.. take, "--checker", TestNetwork.FinanceClerk, "--checker-pin", Pin, "--out", pdf]);
        Assert.Equal(1, alone.ExitCode);
        Assert.Contains("SameMakerAndChecker", alone.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(pdf));
        Assert.Equal(1, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM audit WHERE operation = 'emergency-paper-refused'"));

        var taken = await Cli.RunAsync([.. take, "--checker", TestNetwork.FinanceChecker, "--checker-pin", Pin, "--out", pdf]);
        Assert.True(taken.ExitCode == 0, taken.Stderr);
        Assert.Contains("已转应急纸质", taken.Stdout, StringComparison.Ordinal);
        Assert.All(PdfText.Pages(await File.ReadAllBytesAsync(pdf)), page => Assert.Contains("应急纸质", page, StringComparison.Ordinal));

        var payee = _net.Master.Payees[0];
        var register = await Cli.RunAsync("paper", "register", "--data", dir, "--party", "bank-102", "--no", "ZF-0101", "--agency", TestNetwork.Agency,
            "--func", TestNetwork.FuncCode, "--amount", "300.00", "--payee-acct", payee.AccountNo, "--payee-name", payee.Name, "--clerk-pin", Pin, "--reviewer-pin", Pin);
        Assert.True(register.ExitCode == 0, register.Stderr);

        var reconcile = await Cli.RunAsync("paper", "reconcile", "--data", dir, "--json");
        Assert.True(reconcile.ExitCode == 0, reconcile.Stdout + reconcile.Stderr);
        using var json = JsonDocument.Parse(reconcile.Stdout);
        Assert.True(json.RootElement.GetProperty("balanced").GetBoolean());
        var line = Assert.Single(json.RootElement.GetProperty("vouchers").EnumerateArray());
        Assert.Equal("PaidOnPaper", line.GetProperty("outcome").GetString());
        Assert.Equal("300.00", line.GetProperty("paidOnPaper").GetString());
    }
}
