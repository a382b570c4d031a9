using System.Text.Json;
using OpenTreasury.Simulation.Demo;

namespace OpenTreasury.Node.Tests.Cli;

/// <summary><c>treasury bench</c>: every payment ends paid or returned, the numbers add up, and bad options are refused.</summary>
public sealed class BenchCliTests
{
    [Fact]
    public async Task A_small_run_accounts_for_every_payment_and_reports_each_flow()
    {
        var run = await Cli.RunAsync("bench", "--payments", "20", "--batch", "8", "--json");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal(20, root.GetProperty("payments").GetInt32());
        Assert.Equal(20, root.GetProperty("paid").GetInt64() + root.GetProperty("returned").GetInt64());
        Assert.True(root.GetProperty("paymentsPerSecond").GetDouble() > 0);
        var flows = root.GetProperty("flows").EnumerateArray().ToList();
        Assert.Equal(3, flows.Count);
        Assert.Equal([20, 20], flows.Take(2).Select(f => f.GetProperty("count").GetInt32()));
        Assert.Equal(3, flows[2].GetProperty("count").GetInt32()); // 20 payments in batches of 8: three settles.
        Assert.Contains("20/20", run.Stderr, StringComparison.Ordinal); // the progress bar's last state
    }

    [Fact]
    public async Task Out_of_range_options_are_refused_with_their_code()
    {
        var run = await Cli.RunAsync("bench", "--payments", "0");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("错误 [BENCH-1]", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new double[] { }, 0.5, 0)]
    [InlineData(new double[] { 7 }, 0.99, 7)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.5, 2)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.99, 4)]
    public void The_percentile_is_the_nearest_rank(double[] sorted, double fraction, double expected) =>
        Assert.Equal(expected, PaymentBench.Percentile(sorted, fraction));
}
