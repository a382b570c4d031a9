using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace OpenTreasury.Node.Tests.Cli;

/// <summary>The built <c>treasury</c> command, run as a user runs it, on one demo network made once for the class.</summary>
public sealed class CliTests(CliTests.DemoFolder demo) : IClassFixture<CliTests.DemoFolder>
{
    [Fact]
    public void The_demo_prints_a_balanced_summary_as_json()
    {
        Assert.Equal(0, demo.Demo.ExitCode);
        using var json = JsonDocument.Parse(demo.Demo.Stdout);
        var payments = json.RootElement.GetProperty("payments");
        Assert.Equal(20, payments.GetProperty("requested").GetInt32());
        Assert.Equal(20, payments.GetProperty("paid").GetInt32() + payments.GetProperty("rejected").GetInt32());
        Assert.True(json.RootElement.GetProperty("reconciliation").GetProperty("balanced").GetBoolean());
        Assert.Equal(0, json.RootElement.GetProperty("signatures").GetProperty("failed").GetInt64());

        var flows = json.RootElement.GetProperty("flows");
        Assert.Equal(4, flows.GetProperty("direct").GetProperty("requested").GetInt32());
        Assert.Equal(4, flows.GetProperty("direct").GetProperty("receipts").GetInt32());
        var allocation = flows.GetProperty("allocation");
        Assert.Equal((5, 4, 1, 1), (allocation.GetProperty("issued").GetInt32(), allocation.GetProperty("paid").GetInt32(), allocation.GetProperty("returned").GetInt32(), allocation.GetProperty("reissued").GetInt32()));
        Assert.Equal("10000.00", allocation.GetProperty("refunded").GetString());
        var treasury = Domain.Money.Amount.ParseWire(allocation.GetProperty("treasuryBalance").GetString()!);
        var paid = Domain.Money.Amount.ParseWire(allocation.GetProperty("paidAmount").GetString()!);

        // 国库单一账户: closing = opening − cleared − allocated + refunded, to the fen, and the account holds it.
        var account = json.RootElement.GetProperty("treasuryAccount");
        Domain.Money.Amount Of(string name) => Domain.Money.Amount.ParseWire(account.GetProperty(name).GetString()!);
        Assert.True(account.GetProperty("balanced").GetBoolean());
        Assert.Equal(Simulation.Demo.DemoPlan.TreasuryOpening, Of("opening"));
        Assert.Equal(paid, Of("allocated"));
        Assert.Equal(Domain.Money.Amount.ParseWire(json.RootElement.GetProperty("clearing").GetProperty("cleared").GetString()!), Of("cleared"));
        Assert.Equal(Of("opening") - Of("cleared") - Of("allocated") + Of("refunded"), Of("closing"));
        Assert.Equal(Of("closing"), treasury);
        // Refunds: the 3208 (10000.00) and the two 2302s of 100.00 each.
        Assert.Equal(Domain.Money.Amount.ParseWire("10200.00"), Of("refunded"));
    }

    [Fact]
    public async Task The_demo_with_no_payments_runs_and_balances()
    {
        var folder = System.IO.Path.Combine(demo.Path, "empty-day");

        var run = await Cli.RunAsync("demo", "--data", folder, "--payments", "0", "--json");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal(0, json.RootElement.GetProperty("payments").GetProperty("requested").GetInt32());
        Assert.True(json.RootElement.GetProperty("reconciliation").GetProperty("balanced").GetBoolean());
    }

    [Fact]
    public async Task An_exported_payment_voucher_verifies_offline_and_one_changed_digit_is_named_as_a_data_hash_mismatch()
    {
        var list = await Cli.RunAsync("voucher", "list", "--data", demo.Path, "--party", "finance", "--vt", "8202", "--json");
        Assert.Equal(0, list.ExitCode);
        using var rows = JsonDocument.Parse(list.Stdout);
        var voucherNo = rows.RootElement.EnumerateArray().First().GetProperty("VoucherNo").GetString()!;
        var file = System.IO.Path.Combine(demo.Path, $"{voucherNo}.xml");

        var export = await Cli.RunAsync("voucher", "export", "--data", demo.Path, "--party", "finance", "--vt", "8202", "--no", voucherNo, "--out", file);
        Assert.Equal(0, export.ExitCode);

        var verify = await Cli.RunAsync("voucher", "verify", file, "--data", demo.Path);
        Assert.Equal(0, verify.ExitCode);
        foreach (var position in new[] { "dw_jbrsz", "dw_fzrsz", "dw_cwzyz", "dw_frz" })
        {
            Assert.Single(verify.Stdout.Split('\n'), line => line.Contains($" {position} ", StringComparison.Ordinal) && line.TrimEnd().EndsWith(": valid", StringComparison.Ordinal));
        }

        Assert.DoesNotContain("INVALID", verify.Stdout, StringComparison.Ordinal);

        var tampered = System.IO.Path.Combine(demo.Path, $"{voucherNo}-tampered.xml");
        await File.WriteAllBytesAsync(tampered, Tamper.OneAmountDigit(await File.ReadAllBytesAsync(file)));
        var refused = await Cli.RunAsync("voucher", "verify", tampered, "--data", demo.Path);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("DataHashMismatch", refused.Stdout, StringComparison.Ordinal);
        Assert.Contains("NOT verified", refused.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payment_voucher_restamped_with_a_banks_business_seal_is_named_as_position_not_allowed()
    {
        var list = await Cli.RunAsync("voucher", "list", "--data", demo.Path, "--party", "finance", "--vt", "8202", "--json");
        using var rows = JsonDocument.Parse(list.Stdout);
        var voucherNo = rows.RootElement.EnumerateArray().Last().GetProperty("VoucherNo").GetString()!;
        var file = System.IO.Path.Combine(demo.Path, $"{voucherNo}-genuine.xml");
        var resigned = System.IO.Path.Combine(demo.Path, $"{voucherNo}-bank-102.xml");
        Assert.Equal(0, (await Cli.RunAsync("voucher", "export", "--data", demo.Path, "--party", "finance", "--vt", "8202", "--no", voucherNo, "--out", file)).ExitCode);

        var sign = await Cli.RunAsync("voucher", "sign", file, "--data", demo.Path, "--party", "bank-102", "--out", resigned);
        Assert.Equal(0, sign.ExitCode);

        var verify = await Cli.RunAsync("voucher", "verify", resigned, "--data", demo.Path);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("PositionNotAllowed", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("NOT verified", verify.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconciling_the_demo_day_is_balanced_and_writes_an_xlsx_that_reads_back()
    {
        var xlsx = System.IO.Path.Combine(demo.Path, "day.xlsx");

        var run = await Cli.RunAsync("reconcile", "--data", demo.Path, "--date", "2026-03-02", "--xlsx", xlsx);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("平衡 balanced", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(Printing.Reports.ReconciliationExport.ReadXlsxRows(await File.ReadAllBytesAsync(xlsx)));
    }

    [Fact]
    public async Task A_voucher_prints_to_pdf_with_its_seals_and_a_second_print_is_marked_as_a_reprint()
    {
        var list = await Cli.RunAsync("voucher", "list", "--data", demo.Path, "--party", "bank-102", "--vt", "2105", "--json");
        using var rows = JsonDocument.Parse(list.Stdout);
        var voucherNo = rows.RootElement.EnumerateArray().First().GetProperty("VoucherNo").GetString()!;
        var pdf = System.IO.Path.Combine(demo.Path, "arrival.pdf");

        var first = await Cli.RunAsync("voucher", "print", "--data", demo.Path, "--party", "bank-102", "--vt", "2105", "--no", voucherNo, "--user", "yh102_jb", "--pin", "88888888", "--out", pdf);
        var second = await Cli.RunAsync("voucher", "print", "--data", demo.Path, "--party", "bank-102", "--vt", "2105", "--no", voucherNo, "--user", "yh102_fh", "--pin", "88888888", "--out", pdf + ".2.pdf");
        var over = await Cli.RunAsync("voucher", "print", "--data", demo.Path, "--party", "bank-102", "--vt", "2105", "--no", voucherNo, "--user", "yh102_fh", "--pin", "88888888", "--out", pdf);

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("(3 seals)", first.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("reprint", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("reprint no. 2", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, over.ExitCode); // an existing file is never written over (OUTPUT-EXISTS)
        Assert.Contains("[OUTPUT-EXISTS]", over.Stderr, StringComparison.Ordinal);
        Assert.Equal("%PDF"u8.ToArray(), (await File.ReadAllBytesAsync(pdf))[..4]);
    }

    [Fact]
    public async Task Several_business_days_each_clear_report_and_reconcile()
    {
        var folder = System.IO.Path.Combine(demo.Path, "three-days");

        var run = await Cli.RunAsync("demo", "--data", folder, "--payments", "15", "--days", "3", "--json");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var days = json.RootElement.GetProperty("reconciliation").GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(["2026-03-02", "2026-03-03", "2026-03-04"], days.Select(d => d.GetProperty("date").GetString()));
        Assert.All(days, d => Assert.True(d.GetProperty("balanced").GetBoolean()));
        Assert.True(json.RootElement.GetProperty("flows").GetProperty("ledgers").GetProperty("financeTrialBalanced").GetBoolean());
    }

    [Fact]
    public async Task Three_divisions_on_the_same_nodes_each_reconcile_on_their_own()
    {
        var folder = System.IO.Path.Combine(demo.Path, "three-divisions");

        var run = await Cli.RunAsync("demo", "--data", folder, "--divisions", "3", "--payments", "12", "--json");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var divisions = json.RootElement.GetProperty("divisions").EnumerateArray().ToList();
        Assert.Equal(["533103", "533102", "533100"], divisions.Select(d => d.GetProperty("admDivCode").GetString()));
        Assert.All(divisions, d => Assert.True(d.GetProperty("balanced").GetBoolean() && d.GetProperty("treasuryBalanced").GetBoolean(), d.ToString()));
        Assert.True(json.RootElement.GetProperty("reconciliation").GetProperty("balanced").GetBoolean());

        // PBOC's 4004 of each division carries the same number: which one is meant must be said.
        var ambiguous = await Cli.RunAsync("voucher", "show", "--data", folder, "--party", "finance", "--vt", "4004", "--no", "ZFDZ20260302");
        var named = await Cli.RunAsync("voucher", "show", "--data", folder, "--party", "finance", "--vt", "4004", "--no", "ZFDZ20260302", "--division", "533102", "--json");
        var reconciled = await Cli.RunAsync("reconcile", "--data", folder, "--division", "533100", "--date", "2026-03-02", "--json");

        Assert.Equal(2, ambiguous.ExitCode);
        Assert.Contains("[WHICH-DIVISION]", ambiguous.Stderr, StringComparison.Ordinal);
        var chain = await Cli.RunAsync("voucher", "chain", "--data", folder, "--party", "pboc", "--vt", "4004", "--no", "ZFDZ20260302");
        var oneChain = await Cli.RunAsync("voucher", "chain", "--data", folder, "--party", "pboc", "--vt", "4004", "--no", "ZFDZ20260302", "--division", "533100");
        Assert.Contains("[WHICH-DIVISION]", chain.Stderr, StringComparison.Ordinal);
        Assert.True(oneChain.ExitCode == 0, oneChain.Stderr);
        Assert.True(named.ExitCode == 0, named.Stderr);
        Assert.Contains("533102", named.Stdout, StringComparison.Ordinal);
        Assert.True(reconciled.ExitCode == 0, reconciled.Stdout + reconciled.Stderr);
        using var day = JsonDocument.Parse(reconciled.Stdout);
        Assert.Equal("533100", day.RootElement.GetProperty("admDivCode").GetString());
        Assert.True(day.RootElement.GetProperty("balanced").GetBoolean());

        // Each division's 8202 sequence starts at its first number: taking "it" to paper must say which division's.
        string[] Pay(string unit, string amount) =>
            ["pay", "--data", folder, "--agency", unit, "--class", "2010301", "--amount", amount, "--clerk", $"dw{unit}_jbr", "--clerk-pin", "88888888", "--approver", $"dw{unit}_fzr", "--approver-pin", "88888888"];
        Assert.Equal(0, (await Cli.RunAsync(Pay("101001", "10.00"))).ExitCode);
        Assert.Equal(0, (await Cli.RunAsync(Pay("201001", "11.00"))).ExitCode);
        var paper = await Cli.RunAsync("paper", "take", "--data", folder, "--no", "ZF202600000001", "--reason", "链路中断",
            "--clerk", "cz_lr", "--clerk-pin", "88888888", "--checker", "cz_sh", "--checker-pin", "88888888", "--out", System.IO.Path.Combine(folder, "paper.pdf"));
        Assert.Equal(2, paper.ExitCode);
        Assert.Contains("[WHICH-DIVISION] 8202 ZF202600000001 在多个行政区划中都有（533103、533102）", paper.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misbooked_daily_report_is_found_named_and_exported()
    {
        var folder = System.IO.Path.Combine(demo.Path, "misbooked");

        var run = await Cli.RunAsync("demo", "--data", folder, "--payments", "12", "--inject-mismatch", "--json");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var reconciliation = json.RootElement.GetProperty("reconciliation");
        Assert.False(reconciliation.GetProperty("balanced").GetBoolean());
        Assert.True(reconciliation.GetProperty("mismatches").GetInt32() >= 1);
        var details = string.Join("\n", reconciliation.GetProperty("details").EnumerateArray().Select(d => d.GetString()));
        Assert.Contains("AmountDiffers: 支付凭证 ZF1-", details, StringComparison.Ordinal);

        // The fault is a real misbooking in the bank's books (the simulation's, not the desk's): its own check names it too.
        var check = await Cli.RunAsync("node", "check", "--node", System.IO.Path.Combine(folder, "bank-102"));
        Assert.Equal(4, check.ExitCode);
        Assert.Contains("bank_quotas", check.Stdout + check.Stderr, StringComparison.Ordinal);

        var xlsx = System.IO.Path.Combine(folder, "day.xlsx");
        var reconcile = await Cli.RunAsync("reconcile", "--data", folder, "--date", "2026-03-02", "--xlsx", xlsx, "--json");
        Assert.Equal(1, reconcile.ExitCode);
        using var report = JsonDocument.Parse(reconcile.Stdout);
        var rows = Printing.Reports.ReconciliationExport.ReadXlsxRows(await File.ReadAllBytesAsync(xlsx));
        Assert.Equal(report.RootElement.GetProperty("mismatches").GetInt32(), rows.Count);
        Assert.Equal(
            report.RootElement.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("Description").GetString()),
            rows.Select(r => r[5]));
    }

    [Fact]
    public async Task The_voucher_list_shows_every_library_row_with_its_status_per_receiver()
    {
        var list = await Cli.RunAsync("voucher", "list", "--data", demo.Path, "--party", "finance", "--json");

        Assert.Equal(0, list.ExitCode);
        using var rows = JsonDocument.Parse(list.Stdout);
        var payments = rows.RootElement.EnumerateArray().Where(r => r.GetProperty("VtCode").GetString() == "8202").ToList();
        Assert.Equal(20, payments.Count);
        Assert.All(payments, p => Assert.True(p.GetProperty("Deliveries")[0].GetProperty("Code").GetInt32() is 3 or 5)); // signed for or returned
    }

    [Fact]
    public async Task Audit_verify_reports_an_intact_chain()
    {
        var audit = await Cli.RunAsync("audit", "verify", "--data", demo.Path, "--party", "pboc");

        Assert.Equal(0, audit.ExitCode);
        Assert.Contains("chain intact", audit.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_command_explains_itself_with_help()
    {
        string[][] commands =
        [
            [], ["demo"], ["voucher"], ["voucher", "list"], ["voucher", "show"], ["voucher", "export"], ["voucher", "verify"], ["voucher", "sign"], ["audit"], ["audit", "verify"],
            ["ca"], ["ca", "export"], ["user"], ["user", "add"], ["user", "list"], ["user", "lock"], ["user", "unlock"], ["token"], ["token", "change-pin"],
            ["seal"], ["seal", "make"], ["seal", "revoke"], ["seal", "list"], ["seal", "show"], ["seal", "inspect"], ["pay"], ["reconcile"], ["voucher", "chain"], ["voucher", "reissue"], ["voucher", "print"],
            ["voucher", "query"], ["voucher", "restore"], ["messages"], ["messages", "list"], ["messages", "retry"], ["messages", "discard"], ["audit", "query"], ["audit", "export"],
            ["sandbox"], ["sandbox", "init"], ["sandbox", "serve"], ["paper"], ["paper", "take"], ["paper", "register"], ["paper", "reconcile"], ["bench"],
        ];

        var results = await Task.WhenAll(commands.Select(c => Cli.RunAsync([.. c, "--help"])));

        Assert.All(results, r =>
        {
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("用法", r.Stdout, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("nobody", "不是机构名")]
    [InlineData("bank-999", "网络中没有机构")]
    public async Task A_bad_party_exits_2_with_a_clear_error(string party, string message)
    {
        var list = await Cli.RunAsync("voucher", "list", "--data", demo.Path, "--party", party);

        Assert.Equal(2, list.ExitCode);
        Assert.Contains(message, list.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_without_a_network_exits_2_and_says_how_to_make_one()
    {
        var audit = await Cli.RunAsync("audit", "verify", "--data", System.IO.Path.Combine(demo.Path, "missing"), "--party", "pboc");

        Assert.Equal(2, audit.ExitCode);
        Assert.Contains("treasury demo", audit.Stderr, StringComparison.Ordinal);
    }

    /// <summary>One network made by <c>treasury demo --payments 20 --json</c>, deleted after the class.</summary>
    public sealed class DemoFolder : IDisposable
    {
        public DemoFolder()
        {
            Path = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ot-cli-" + System.IO.Path.GetRandomFileName())).FullName;
            Demo = Cli.RunAsync("demo", "--data", Path, "--payments", "20", "--json").GetAwaiter().GetResult();
        }

        public string Path { get; }

        public CliResult Demo { get; }

        public void Dispose()
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(Path, recursive: true);
        }
    }
}

public sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs <c>dotnet treasury.dll</c> from the test output folder, with a timeout.</summary>
internal static class Cli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(240);

    public static Task<CliResult> RunAsync(params string[] args) => RunWithAsync(new Dictionary<string, string>(), args);

    /// <summary>Starts the command with its output redirected, for a test that watches it run.</summary>
    public static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            StandardErrorEncoding = System.Text.Encoding.UTF8,
        };
        start.ArgumentList.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "treasury.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    /// <summary>Runs the command with extra environment variables (e.g. the key passphrase of a non-demo network).</summary>
    public static async Task<CliResult> RunWithAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            StandardErrorEncoding = System.Text.Encoding.UTF8,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "treasury.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"treasury {string.Join(' ', args)} did not finish in {Timeout}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
