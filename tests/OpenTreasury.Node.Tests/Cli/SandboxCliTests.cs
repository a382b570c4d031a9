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

        // Served, every desk says it is the test environment.
        var portBase = FreePort();
        using var serve = Cli.Start("sandbox", "serve", "--data", _sandbox, "--port-base", portBase.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            string? desk = null;
            while (desk is null && await serve.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                desk = line.StartsWith("柜面 desk finance: ", StringComparison.Ordinal) ? line["柜面 desk finance: ".Length..].Trim() : null;
            }

            Assert.NotNull(desk);
            using var client = new HttpClient();
            var page = await client.GetStringAsync(new Uri(desk), timeout.Token);
            Assert.Contains("class=\"sandbox\"", page, StringComparison.Ordinal);
            Assert.Contains(">测试环境</span>", page, StringComparison.Ordinal);
            Assert.Contains("&#x3010;&#x6D4B;&#x8BD5;&#x73AF;&#x5883;&#x3011;", page, StringComparison.Ordinal); // 【测试环境】 in the title, as Razor encodes it
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
        }
    }

    // The desks take four ports from here and the support controls four from here + 110: a block rarely taken, below
    // Linux's ephemeral range (32768–60999), so no port-0 listener or outgoing connection of another test takes it.
    private static int FreePort() => Random.Shared.Next(20_000, 32_000);

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
