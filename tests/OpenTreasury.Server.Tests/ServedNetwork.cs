using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using OpenTreasury.Business;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Server;
using OpenTreasury.Server.Auth;
using OpenTreasury.Simulation;
using OpenTreasury.Trust.Tokens;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Server.Tests;

/// <summary>
/// A real network (芒市 master data) in its own copy of a template folder, on a fake clock, with Finance
/// and bank 102 each served by a real Kestrel host on 127.0.0.1 (any free port). The template holds
/// two 8202s of unit 101001 and one of unit 102001, delivered to bank 102 and not yet handled there.
/// The workers do not run: tests move the network by hand.
/// </summary>
internal sealed class ServedNetwork : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 30, 0, TimeSpan.FromHours(8));

    public const string UnitClerk = "dw101001_jbr";
    public const string OtherUnitClerk = "dw102001_jbr";
    public const string BankClerk = "yh102_jb";
    public const string Pin = "88888888";

    private readonly List<WebApplication> _hosts = [];
    private readonly List<IUsbKeyDevice> _devices = [];

    private ServedNetwork(string directory, TreasuryNetwork network)
    {
        Directory = directory;
        Network = network;
    }

    public FakeTimeProvider Clock { get; } = new(Start);

    public string Directory { get; }

    public TreasuryNetwork Network { get; private set; }

    public HttpClient Finance { get; private set; } = null!;

    public HttpClient Bank102 { get; private set; } = null!;

    public static async Task<ServedNetwork> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ot-server-" + Path.GetRandomFileName());
        NetworkTemplate.CopyTo(directory);
        var served = new ServedNetwork(directory, null!);
        served.Network = TreasuryNetwork.Open(directory, served.Clock, TreasuryNetwork.DemoPins);
        served.Finance = await served.ServeAsync(served.Network.Finance);
        served.Bank102 = await served.ServeAsync(served.Network.Bank("102"));
        return served;
    }

    /// <summary>A client of the node with a session of <paramref name="userId"/>, logged in with their USBKey.</summary>
    public async Task<HttpClient> LoginAsync(HttpClient node, TreasuryNode party, string userId)
    {
        var client = new HttpClient { BaseAddress = node.BaseAddress };
        var outcome = await LoginClient.LoginAsync(client, userId, Token(party, userId));
        Assert.True(outcome.Ok, $"{userId} could not log in: {outcome.Status} {outcome.Code} {outcome.Title}");
        LoginClient.UseSession(client, outcome.Session!);
        return client;
    }

    /// <summary>The person's USBKey, opened with their PIN, as their own machine would.</summary>
    public IUsbKeyContainer Token(TreasuryNode party, string userId)
    {
        var device = SoftUsbKey.Open(party.Users.TokenPath(userId), new SecureRandom()).ValueOrThrow();
        _devices.Add(device);
        var application = device.OpenApplication(SoftUsbKey.ApplicationName);
        Assert.True(application.VerifyPin(Pin).Succeeded);
        return application.OpenContainer(SoftUsbKey.SignContainerName);
    }

    /// <summary>Serves one more host for <paramref name="node"/>, this one with its worker running.</summary>
    public Task<HttpClient> ServeWithWorkerAsync(TreasuryNode node) => ServeAsync(node, runWorker: true);

    private async Task<HttpClient> ServeAsync(TreasuryNode node, bool runWorker = false)
    {
        var app = NodeHost.Build(node, "http://127.0.0.1:0", new NodeHostOptions { Clock = Clock, RunWorker = runWorker });
        await app.StartAsync();
        _hosts.Add(app);
        return new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }

        foreach (var device in _devices)
        {
            device.Dispose();
        }

        Finance?.Dispose();
        Bank102?.Dispose();
        Network?.Dispose();
        SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

/// <summary>The one network made per test run on the fake clock, with three 8202s at bank 102; tests copy its folder.</summary>
internal static class NetworkTemplate
{
    private static readonly Lazy<string> s_folder = new(Make, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Folder => s_folder.Value;

    public static void CopyTo(string destination)
    {
        var source = Folder;
        System.IO.Directory.CreateDirectory(destination);
        foreach (var directory in System.IO.Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            System.IO.Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, directory)));
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(destination, Path.GetRelativePath(source, file)));
        }
    }

    private static string Make()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ot-server-template-" + Path.GetRandomFileName());
        var clock = new FakeTimeProvider(ServedNetwork.Start);
        TreasuryNetwork.Create(folder, SampleMasterData.Mangshi(2026), clock, demo: true, TreasuryNetwork.DemoPassphrase);
        using (var network = TreasuryNetwork.Open(folder, clock, TreasuryNetwork.DemoPins))
        {
            var payee = network.Master.Payees[0];
            var date = DateOnly.FromDateTime(ServedNetwork.Start.DateTime);
            foreach (var (no, agency, func) in new[] { ("ZF-A-1", "101001", "2010301"), ("ZF-A-2", "101001", "2010301"), ("ZF-B-1", "102001", "2050201") })
            {
                network.Finance.FinanceDesk!.SubmitPayment(new PaymentOrder(no, agency, func, Amount.ParseWire("1234.50"), payee, "办公用品采购"), date).ThrowIfRefused();
            }

            network.SettleAsync().GetAwaiter().GetResult();
        }

        SqliteConnection.ClearAllPools(); // Closes every connection, so the WAL is checkpointed into the files we copy.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Left in the temp folder; nothing depends on it.
            }
        };
        return folder;
    }
}

internal static class Json
{
    public static async Task<System.Text.Json.JsonElement> ReadAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>())!;
}
