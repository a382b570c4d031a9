using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace OpenTreasury.Node.Tests.Cli;

/// <summary>
/// Every expected failure of the CLI, tried as a person would: one line in Chinese with its stable code,
/// the documented exit code, and never a line of a stack trace.
/// </summary>
public sealed class ErrorPathTests(CliTests.DemoFolder demo) : IClassFixture<CliTests.DemoFolder>
{
    private static readonly string[] Pay = ["--agency", "101001", "--class", "2010301", "--clerk", "dw101001_jbr", "--clerk-pin", "88888888", "--approver", "dw101001_fzr", "--approver-pin", "88888888"];

    public static TheoryData<string, int, string[]> Paths => new()
    {
        { "USAGE", 2, ["voucher", "show", "--data", "{data}", "--party", "finance"] },
        { "USAGE", 2, ["demo", "--payments", "many"] },
        { "USAGE", 2, ["no-such-command"] },
        { "NO-NETWORK", 2, ["voucher", "list", "--data", "{data}/nowhere", "--party", "finance"] },
        { "NO-PARTY", 2, ["voucher", "list", "--data", "{data}", "--party", "nobody"] },
        { "NO-PARTY", 2, ["voucher", "list", "--data", "{data}", "--party", "bank-999"] },
        { "BAD-KEY", 2, ["voucher", "show", "--data", "{data}", "--party", "finance", "--vt", "82", "--no", "ZF1-000001"] },
        { "NO-VOUCHER", 2, ["voucher", "show", "--data", "{data}", "--party", "finance", "--vt", "8202", "--no", "NOPE-1"] },
        { "MISSING-PATH", 2, ["voucher", "export", "--data", "{data}", "--party", "finance", "--vt", "8202", "--no", "ZF1-000001", "--out", "{data}/no/such/folder/v.xml"] },
        { "OUTPUT-EXISTS", 2, ["voucher", "export", "--data", "{data}", "--party", "finance", "--vt", "8202", "--no", "ZF1-000001", "--out", "{data}/network.json"] },
        { "MISSING-PATH", 2, ["voucher", "verify", "{data}/missing.xml", "--data", "{data}"] },
        { "BAD-FILE", 2, ["voucher", "sign", "{data}/network.json", "--data", "{data}", "--party", "bank-102", "--out", "{data}/forged.xml"] },
        { "BAD-AMOUNT", 2, ["pay", "--data", "{data}", .. Pay, "--amount", "1.005"] },
        { "BAD-AMOUNT", 2, ["pay", "--data", "{data}", .. Pay, "--amount", "-3.00"] },
        { "NO-UNIT", 2, ["pay", "--data", "{data}", .. Pay[2..], "--agency", "999999", "--amount", "1.00"] },
        { "BAD-VOUCHER-NO", 2, ["pay", "--data", "{data}", .. Pay, "--amount", "1.00", "--no", "has space"] },
        { "BAD-DATE", 2, ["reconcile", "--data", "{data}", "--date", "2026-13-01"] },
        { "NO-DIVISION", 2, ["reconcile", "--data", "{data}", "--division", "533199"] },
        { "DEMO-1", 2, ["demo", "--payments", "-1"] },
        { "DEMO-1", 2, ["demo", "--divisions", "5"] },
        { "DEMO-4", 2, ["demo", "--data", "{data}", "--divisions", "2"] },
        { "NETWORK-1", 2, ["network", "init", "--data", "{data}"] },
        { "NO-NODE", 2, ["node", "check", "--node", "{data}/nowhere"] },
        { "PinIncorrect-167772196", 1, ["pay", "--data", "{data}", "--agency", "101001", "--class", "2010301", "--clerk", "dw101001_jbr", "--clerk-pin", "00000000", "--approver", "dw101001_fzr", "--approver-pin", "88888888", "--amount", "1.00"] },
        { "SameMakerAndChecker-7", 1, ["pay", "--data", "{data}", "--agency", "101001", "--class", "2010301", "--clerk", "dw101001_jbr", "--clerk-pin", "88888888", "--approver", "dw101001_jbr", "--approver-pin", "88888888", "--amount", "1.00"] },
        { "NoAdministratorLogin-1", 1, ["user", "add", "--data", "{data}", "--party", "finance", "--id", "x1", "--name", "王璐", "--post", "国库股录入", "--pin", "12345678", "--so-pin", "87654321"] },
        { "InvalidInput-5", 1, ["user", "add", "--data", "{data}", "--party", "finance", "--id", "x2", "--name", "王𠀀", "--post", "国库股录入", "--pin", "12345678", "--so-pin", "87654321", "--admin", "cz_gly1", "--admin-pin", "88888888"] },
        { "UnknownDivision-6", 1, ["user", "add", "--data", "{data}", "--party", "finance", "--id", "x3", "--name", "王璐", "--post", "国库股录入", "--division", "533199", "--pin", "12345678", "--so-pin", "87654321", "--admin", "cz_gly1", "--admin-pin", "88888888"] },
        { "NO-SEAL", 1, ["seal", "revoke", "--data", "{data}", "--id", "ES-NONE", "--reason", "测试", "--admin", "cz_gly1", "--admin-pin", "88888888", "--checker", "cz_gly2", "--checker-pin", "88888888"] },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Each_failure_is_one_chinese_line_with_its_code_and_exit_code(string code, int exitCode, string[] args)
    {
        var run = await Cli.RunAsync([.. args.Select(a => a.Replace("{data}", demo.Path, StringComparison.Ordinal))]);

        Assert.True(exitCode == run.ExitCode, $"exit {run.ExitCode}: {run.Stdout}{run.Stderr}");
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith(exitCode == 1 ? "拒绝 [" : "错误 [", lines[0], StringComparison.Ordinal);
        Assert.Contains($"[{code}]", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", lines[0]);
        NoStackTrace(run);
    }

    [Fact]
    public async Task With_json_a_failure_is_one_object_with_the_code_the_exit_code_and_both_texts()
    {
        var run = await Cli.RunAsync("voucher", "list", "--data", Path.Combine(demo.Path, "nowhere"), "--party", "finance", "--json");

        Assert.Equal(2, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var error = json.RootElement.GetProperty("error");
        Assert.Equal("NO-NETWORK", error.GetProperty("code").GetString());
        Assert.Equal(2, error.GetProperty("exitCode").GetInt32());
        Assert.Contains("holds no network", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("没有网络", error.GetProperty("messageZh").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_busy_database_waits_its_bound_then_names_the_holder()
    {
        using var holder = new SqliteConnection($"Data Source={Path.Combine(demo.Path, "finance", "library.db")};Pooling=False");
        holder.Open();
        using var write = holder.BeginTransaction(deferred: false);

        var run = await Cli.RunWithAsync(new Dictionary<string, string> { ["OPENTREASURY_DB_BUSY_SECONDS"] = "2" },
            ["pay", "--data", demo.Path, .. Pay, "--amount", "1.23"]);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("[DB-BUSY]", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"进程 {Environment.ProcessId}", run.Stderr, StringComparison.Ordinal);
        NoStackTrace(run);
    }

    [Fact]
    public async Task A_crash_of_the_program_itself_is_one_line_naming_its_log()
    {
        // A folder whose network.json is not master data: opening it fails where no rule expects it.
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ot-broken-" + Path.GetRandomFileName())).FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "network.json"), "{ \"not\": \"master data\" }");
            var run = await Cli.RunAsync("voucher", "list", "--data", folder, "--party", "finance");

            Assert.NotEqual(0, run.ExitCode);
            Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            NoStackTrace(run);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_name_beyond_gb2312_level_1_makes_the_user_and_the_seal()
    {
        var add = await Cli.RunAsync("user", "add", "--data", demo.Path, "--party", "finance", "--id", "wl_lu", "--name", "王璐", "--post", "国库股录入",
            "--pin", "12345678", "--so-pin", "87654321", "--admin", "cz_gly1", "--admin-pin", "88888888");
        var seals = await Cli.RunAsync("seal", "list", "--data", demo.Path, "--party", "finance");

        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        Assert.Contains("王璐", add.Stdout, StringComparison.Ordinal);
        Assert.Contains("王璐", seals.Stdout, StringComparison.Ordinal);
        NoStackTrace(add);
    }

    [Fact]
    public async Task Two_demos_on_one_new_folder_one_makes_it_the_other_is_told_and_changes_nothing()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ot-two-demos-" + Path.GetRandomFileName());
        try
        {
            using var first = Cli.Start("demo", "--data", folder, "--payments", "5");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!File.Exists(Path.Combine(folder, ".demo.lock")) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            var second = await Cli.RunAsync("demo", "--data", folder, "--payments", "5");
            await first.WaitForExitAsync();

            Assert.Equal(3, second.ExitCode);
            Assert.StartsWith("错误 [DEMO-BUSY]", second.Stderr, StringComparison.Ordinal);
            NoStackTrace(second);
            Assert.Equal(0, first.ExitCode);
            var rerun = await Cli.RunAsync("demo", "--data", folder, "--payments", "5", "--json");
            Assert.Equal(0, rerun.ExitCode);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void NoStackTrace(CliResult run)
    {
        foreach (var text in new[] { run.Stdout, run.Stderr })
        {
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        }
    }
}
