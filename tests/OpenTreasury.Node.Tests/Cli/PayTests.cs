using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace OpenTreasury.Node.Tests.Cli;

/// <summary><c>treasury pay</c> exactly once: numbers from the party's sequence, a repeated number with other content refused.</summary>
public sealed partial class PayTests(CliTests.DemoFolder demo) : IClassFixture<CliTests.DemoFolder>
{
    private static readonly string[] People = ["--agency", "101001", "--class", "2010301", "--clerk", "dw101001_jbr", "--clerk-pin", "88888888", "--approver", "dw101001_fzr", "--approver-pin", "88888888"];

    [Fact]
    public async Task The_same_number_again_with_another_amount_is_refused_and_the_first_stays()
    {
        var first = await Cli.RunAsync(["pay", "--data", demo.Path, .. People, "--amount", "10.00", "--no", "IDEM-0001"]);
        var again = await Cli.RunAsync(["pay", "--data", demo.Path, .. People, "--amount", "10.00", "--no", "IDEM-0001"]);
        var other = await Cli.RunAsync(["pay", "--data", demo.Path, .. People, "--amount", "11.00", "--no", "IDEM-0001"]);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, again.ExitCode); // the same request repeated: the first result
        Assert.Contains("IDEM-0001 10.00", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("DuplicateVoucherNo-4", other.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("11.00", other.Stdout, StringComparison.Ordinal);
        var show = await Cli.RunAsync("voucher", "show", "--data", demo.Path, "--party", "finance", "--vt", "8202", "--no", "IDEM-0001");
        Assert.Contains("金额 10.00", show.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Payments_started_at_once_are_each_stored_once_or_refused_and_nothing_is_reported_that_was_not_stored()
    {
        // 24 in CI (2 cores): the 100 of the issue were run by hand with the same checks (see the closing note).
        const int Count = 24;
        var runs = await Task.WhenAll(Enumerable.Range(1, Count).Select(i =>
            Cli.RunAsync(["pay", "--data", demo.Path, .. People, "--amount", $"2.{i % 100:D2}"])));

        var reported = new List<string>();
        foreach (var run in runs)
        {
            Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
            var stored = StoredLine().Match(run.Stdout);
            if (run.ExitCode == 0)
            {
                Assert.True(stored.Success, run.Stdout);
                Assert.Contains("Received", run.Stdout, StringComparison.Ordinal);
            }
            else
            {
                Assert.DoesNotContain("Received", run.Stdout, StringComparison.Ordinal);
                Assert.Single(run.Stderr.Trim().Split('\n'));
            }

            if (stored.Success)
            {
                reported.Add(stored.Groups[1].Value);
            }
        }

        Assert.Equal(reported.Count, reported.Distinct().Count());
        SqliteConnection.ClearAllPools();
        using var db = new SqliteConnection($"Data Source={Path.Combine(demo.Path, "finance", "library.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT voucher_no FROM vouchers WHERE vt_code = '8202' AND origin = 'own' AND voucher_no LIKE 'ZF2%'";
        var inStore = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                inStore.Add(reader.GetString(0));
            }
        }

        Assert.Equal(reported.Order(StringComparer.Ordinal), inStore.Order(StringComparer.Ordinal));
        Assert.NotEmpty(reported);
    }

    [Fact]
    public async Task A_payroll_is_paid_from_its_lines_and_lines_that_do_not_add_up_are_refused()
    {
        var file = Path.Combine(demo.Path, "payroll-202603.csv");
        await File.WriteAllLinesAsync(file, ["30101,基本工资,5230.00,职工0001 张三", "30102,津贴补贴,812.50,职工0001 张三", "", "30101,基本工资,4988.00,职工0002 李四"]);

        var paid = await Cli.RunAsync(["pay", "--data", demo.Path, .. People, "--amount", "11030.50", "--lines", file, "--summary", "2026年3月工资", "--no", "GZ-CLI-1"]);
        var short1 = await Cli.RunAsync(["pay", "--data", demo.Path, .. People, "--amount", "11030.51", "--lines", file, "--no", "GZ-CLI-2"]);
        await File.WriteAllLinesAsync(file, ["30101,基本工资,5230.00,职工0001", "30101,基本工资,五千元,职工0002"]);
        var badRow = await Cli.RunAsync(["pay", "--data", demo.Path, .. People, "--amount", "1.00", "--lines", file, "--no", "GZ-CLI-3"]);

        Assert.True(paid.ExitCode == 0, paid.Stdout + paid.Stderr);
        Assert.Contains("GZ-CLI-1 11030.50", paid.Stdout, StringComparison.Ordinal);
        Assert.Contains("明细 3 笔", paid.Stdout, StringComparison.Ordinal);
        var show = await Cli.RunAsync("voucher", "show", "--data", demo.Path, "--party", "finance", "--vt", "8202", "--no", "GZ-CLI-1");
        Assert.Contains("职工0002 李四", show.Stdout, StringComparison.Ordinal);

        Assert.Equal(2, short1.ExitCode);
        Assert.Contains("[LINES-TOTAL] 明细金额合计 11030.50 与支付金额 11030.51 不符", short1.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, badRow.ExitCode);
        Assert.Contains("[BAD-LINES]", badRow.Stderr, StringComparison.Ordinal);
        Assert.Contains("第 2 行的金额“五千元”无效", badRow.Stderr, StringComparison.Ordinal);
        Assert.Single(badRow.Stderr.Trim().Split('\n'));
        var none = await Cli.RunAsync("voucher", "show", "--data", demo.Path, "--party", "finance", "--vt", "8202", "--no", "GZ-CLI-2");
        Assert.NotEqual(0, none.ExitCode);
    }

    [GeneratedRegex(@"^已保存 stored 8202 (\S+) ", RegexOptions.Multiline)]
    private static partial Regex StoredLine();
}
