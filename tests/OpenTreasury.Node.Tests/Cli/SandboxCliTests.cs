using System.Text.Json;

namespace OpenTreasury.Node.Tests.Cli;

/// <summary>
/// <c>treasury sandbox init|serve</c> as a person types it: the test network is made once and kept; a production
/// voucher verified against it is refused by its environment; serve refuses a folder that is not a test network.
/// </summary>
public sealed class SandboxCliTests(CliTests.DemoFolder demo) : IClassFixture<CliTests.DemoFolder>, IDisposable
{
    private readonly string _sandbox = Path.Combine(Path.GetTempPath(), "ot-sandbox-" + Path.GetRandomFileName());

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_sandbox))
        {
            Directory.Delete(_sandbox, recursive: true);
        }
    }

    [Fact]
    public async Task A_sandbox_is_made_once_and_a_production_voucher_verified_against_it_is_refused_by_its_environment()
    {
        var init = await Cli.RunAsync("sandbox", "init", "--data", _sandbox);
        Assert.True(init.ExitCode == 0, init.Stderr);
        Assert.Contains("测试环境已建立", init.Stdout, StringComparison.Ordinal);

        var again = await Cli.RunAsync("sandbox", "init", "--data", _sandbox);
        Assert.Equal(2, again.ExitCode);
        Assert.StartsWith("错误 [SANDBOX-1]", again.Stderr, StringComparison.Ordinal);

        var list = await Cli.RunAsync("voucher", "list", "--data", demo.Path, "--party", "finance", "--vt", "8202", "--json");
        using var rows = JsonDocument.Parse(list.Stdout);
        var voucherNo = rows.RootElement.EnumerateArray().First().GetProperty("VoucherNo").GetString()!;
        var file = Path.Combine(_sandbox, $"{voucherNo}.xml");
        Assert.Equal(0, (await Cli.RunAsync("voucher", "export", "--data", demo.Path, "--party", "finance", "--vt", "8202", "--no", voucherNo, "--out", file)).ExitCode);

        var verify = await Cli.RunAsync("voucher", "verify", file, "--data", _sandbox);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("WrongEnvironment", verify.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(": valid", verify.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_refuses_a_missing_folder_and_a_production_network_with_their_codes()
    {
        var missing = await Cli.RunAsync("sandbox", "serve", "--data", _sandbox);
        Assert.Equal(2, missing.ExitCode);
        Assert.StartsWith("错误 [SANDBOX-3]", missing.Stderr, StringComparison.Ordinal);

        var production = await Cli.RunAsync("sandbox", "serve", "--data", demo.Path);
        Assert.Equal(2, production.ExitCode);
        Assert.StartsWith("错误 [SANDBOX-6]", production.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", production.Stderr, StringComparison.Ordinal);
    }
}
