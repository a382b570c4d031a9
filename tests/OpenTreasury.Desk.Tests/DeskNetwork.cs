using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using OpenTreasury.Agent;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Server;
using OpenTreasury.Simulation;
using OpenTreasury.Simulation.Demo;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Desk.Tests;

/// <summary>
/// A real network (芒市) with a day of the demo's business, every node served by a real Kestrel host with its
/// desks and its worker, one support control per party's people folder, and headless Chromium from Debian driven
/// by Playwright. One allocation is left returned (the demo's reissue is not run), for the desk to void and reissue.
/// </summary>
public sealed class DeskNetwork : IAsyncLifetime
{
    public const string Pin = "88888888";

    /// <summary>Debian's Chromium; Playwright downloads no browser here.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("OT_CHROMIUM") ?? "/usr/bin/chromium";

    private readonly List<WebApplication> _apps = [];

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "ot-desk-" + Path.GetRandomFileName());

    public TreasuryNetwork Network { get; private set; } = null!;

    public Dictionary<PartyId, string> Desks { get; } = [];

    public Dictionary<PartyId, string> Agents { get; } = [];

    public string? ReturnedAllocation { get; private set; }

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the desks' screenshots are kept (the test run's artefacts).</summary>
    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "desk-screenshots");

    public async Task InitializeAsync()
    {
        Network = TreasuryNetwork.OpenOrCreate(Folder, () => SampleMasterData.Mangshi(2026), TimeProvider.System, TreasuryNetwork.DemoPins);
        var plan = DemoPlan.Create(Network.Master, 3, 6) with { Reissue = null };
        await new DemoRunner(Network, _ => { }).RunAsync(plan);
        ReturnedAllocation = Network.Finance.Library.Latest("own", ["5207"])
            .FirstOrDefault(v => Network.Finance.Library.Deliveries(v.Id).Any(d => d.Status == Domain.Vouchers.VoucherStatus.Returned))?.VoucherNo;

        foreach (var (party, node) in Network.Nodes)
        {
            var origins = new AgentOrigins();
            var agent = SupportControl.Build(new SoftTokenFolder(Path.Combine(Folder, TreasuryNetwork.PeopleFolder, party.ToString()), new SecureRandom()),
                "http://127.0.0.1:0", origins, TimeProvider.System, TextWriter.Null);
            await agent.StartAsync();
            _apps.Add(agent);
            Agents[party] = agent.Urls.First();
            var host = NodeHost.Build(node, "http://127.0.0.1:0", new NodeHostOptions().WithDesks(new DeskOptions(Agents[party])));
            await host.StartAsync();
            _apps.Add(host);
            Desks[party] = host.Urls.First();
            origins.Add(Desks[party]);
        }

        Directory.CreateDirectory(Screenshots);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        Playwright?.Dispose();
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        Network?.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing host: the temporary folder is left to the system.
        }
    }

    /// <summary>A fresh browser context (its own cookies) on one page.</summary>
    public async Task<IPage> PageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>Logs in on a desk as a person does: user name and PIN on the page, the support control signs.</summary>
    public async Task LoginAsync(IPage page, PartyId party, string userId)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync(Desks[party] + "/desk/login");
        await page.FillAsync("#userId", userId);
        await page.FillAsync("#pin", Pin);
        await page.ClickAsync("#login");
        await page.WaitForSelectorAsync("#who");
    }

    public static async Task LogoutAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.ClickAsync("#logout");
        await page.WaitForURLAsync("**/desk/login");
    }

    /// <summary>
    /// Clicks a stamping button (盖章, 审核并盖章), types the PIN into the page's prompt and returns the answer: the
    /// page read again from the library when it was done, or the refusal shown on the page.
    /// </summary>
    public static async Task<string> StampAsync(IPage page, string button)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.ClickAsync(button);
        await page.WaitForSelectorAsync("#pin-dialog[open]");
        await page.FillAsync("#pin-input", Pin);
        var before = page.Url;
        await page.ClickAsync("#pin-ok");
        var done = page.WaitForURLAsync(url => url != before && url.Contains("stamped=", StringComparison.Ordinal));
        var refused = page.Locator("#message .alert.error").WaitForAsync();
        await Task.WhenAny(done, refused);
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        return await page.Locator("#message .alert").First.InnerTextAsync();
    }

    /// <summary>
    /// Reloads until <paramref name="selector"/> shows <paramref name="text"/> (the worker delivers and handles in the
    /// background). An element not on the page yet (a voucher row before its delivery) is read as empty and the page
    /// reloaded, instead of waiting on one page load for an element only a later load can have. When it never does,
    /// the failure quotes <paramref name="detail"/> too (the mismatches beside a reconciliation's result).
    /// </summary>
    public static async Task WaitForTextAsync(IPage page, string selector, string text, int seconds = 60, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var found = page.Locator(selector);
            var content = await found.CountAsync() > 0 ? await found.First.InnerTextAsync() : "（无此元素）";
            if (content.Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            if (DateTime.UtcNow >= until)
            {
                var explained = detail is null ? null : page.Locator(detail);
                var why = explained is not null && await explained.CountAsync() > 0 ? "; " + await explained.First.InnerTextAsync() : string.Empty;
                Assert.Fail($"{selector} did not show “{text}” within {seconds} s; it shows: {content}{why}");
            }

            await Task.Delay(1000);
            await page.ReloadAsync();
        }
    }

    /// <summary>Waits until a bank's books show the authorized payment <paramref name="voucherNo"/> cleared (its worker booked PBOC's 回单).</summary>
    public async Task WaitForClearedAsync(PartyId bank, string voucherNo, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            using (var connection = Network.Nodes[bank].Library.Database.Connect())
            {
                if (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM bank_payments WHERE voucher_no = @voucherNo AND cleared_date IS NOT NULL", new { voucherNo }) > 0)
                {
                    return;
                }
            }

            Assert.True(DateTime.UtcNow < until, $"{bank} did not book the clearing of {voucherNo} within {seconds} s");
            await Task.Delay(250);
        }
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
}

/// <summary>The browser tests and the support control's tests share one network, one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SharedDeskNetwork : ICollectionFixture<DeskNetwork>
{
    public const string Name = "desk network";
}
