using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using OpenTreasury.Business;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Server.Auth;
using OpenTreasury.Simulation;
using OpenTreasury.Trust.Tokens;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Server.Tests;

/// <summary>One person of the demo, logged in once at their own node.</summary>
public sealed record MatrixPerson(PartyId Party, string UserId, string Post, string? AgencyCode, string Token)
{
    public override string ToString() => $"{Party}/{UserId} ({Post}{(AgencyCode is null ? string.Empty : " " + AgencyCode)})";
}

/// <summary>
/// The network of <see cref="NetworkTemplate"/> with every party node served (finance, pboc, bank-102,
/// bank-103) and vouchers of every budget unit and of no unit at each node: an 8202 per unit (to its
/// bank), a month's quota (5105 to each bank, 5106 to PBOC: no unit), direct payments of two units
/// (5201 to the bank, 5108 to PBOC). Everything received is signed for up front, so no cell of the
/// authorization matrix can change a voucher's state: an allowed sign-for then fails on state (409),
/// a refuse, return or void on its empty reason (400). Every person of every node is logged in once.
/// </summary>
public sealed class AuthorizationMatrixNetwork : IAsyncLifetime
{
    private readonly List<WebApplication> _hosts = [];
    private readonly List<IUsbKeyDevice> _devices = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ot-authz-" + Path.GetRandomFileName());

    public FakeTimeProvider Clock { get; } = new(ServedNetwork.Start);

    public TreasuryNetwork Network { get; private set; } = null!;

    /// <summary>One client per node, with no session of its own: every request carries the person's token.</summary>
    public Dictionary<PartyId, HttpClient> Clients { get; } = [];

    public List<MatrixPerson> People { get; } = [];

    public async Task InitializeAsync()
    {
        NetworkTemplate.CopyTo(_directory);
        Network = TreasuryNetwork.Open(_directory, Clock, TreasuryNetwork.DemoPins);
        var date = DateOnly.FromDateTime(ServedNetwork.Start.DateTime);
        var finance = Network.Finance.FinanceDesk!;
        var payee = Network.Master.Payees[0];
        var units = Network.Master.Units;
        foreach (var unit in units.Where(u => u.AgencyCode is not ("101001" or "102001")))
        {
            finance.SubmitPayment(new PaymentOrder($"ZF-{unit.AgencyCode}", unit.AgencyCode, unit.Classes[0].ExpFuncCode, Amount.ParseWire("100.00"), payee, "办公用品采购"), date).ThrowIfRefused();
        }

        foreach (var unit in units.Where(u => u.AgencyCode is "101001" or "102001"))
        {
            finance.SubmitDirectPayment(new DirectPaymentOrder($"ZJ-{unit.AgencyCode}", unit.AgencyCode, unit.Classes[0].ExpFuncCode, Amount.ParseWire("200.00"), payee, "设备采购"), date).ThrowIfRefused();
        }

        finance.RegisterIndicators("测试预算指标", [.. units.Select(u => new IndicatorLine(u.AgencyCode, u.Classes[0].ExpFuncCode, Amount.ParseWire("120000.00")))]).ThrowIfRefused();
        finance.IssueQuota(3, date, [.. units.Select(u => new QuotaPlanLine(u.AgencyCode, u.Classes[0].ExpFuncCode, Amount.ParseWire("10000.00")))]);
        await Network.SettleAsync();

        foreach (var node in Network.Nodes.Values.Where(n => n.Party.Kind != PartyKind.Finance))
        {
            var signer = node.Users.List().First(u => u.Role != Node.People.Authorization.Administrator).Id;
            foreach (var received in node.Library.List().Where(v => v.Origin == "received" && v.State == "received"))
            {
                node.Library.Run(s => node.Library.SignFor(s, received.Id, signer)).ThrowIfRefused();
            }
        }

        foreach (var node in Network.Nodes.Values.OrderBy(n => n.Party.ToString(), StringComparer.Ordinal))
        {
            var app = NodeHost.Build(node, "http://127.0.0.1:0", new NodeHostOptions { Clock = Clock, RunWorker = false });
            await app.StartAsync();
            _hosts.Add(app);
            var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            Clients[node.Party] = client;
            foreach (var user in node.Users.List())
            {
                People.Add(new MatrixPerson(node.Party, user.Id, user.Role, user.AgencyCode, await LoginAsync(client, node, user.Id)));
            }
        }
    }

    /// <summary>A request of <paramref name="token"/>'s session (none when null) to the node of <paramref name="party"/>.</summary>
    public async Task<HttpResponseMessage> SendAsync(PartyId party, string? token, HttpMethod method, string path, string? jsonBody)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, System.Text.Encoding.UTF8, "application/json");
        }

        return await Clients[party].SendAsync(request);
    }

    private async Task<string> LoginAsync(HttpClient client, TreasuryNode node, string userId)
    {
        var device = SoftUsbKey.Open(node.Users.TokenPath(userId), new SecureRandom()).ValueOrThrow();
        _devices.Add(device);
        var application = device.OpenApplication(SoftUsbKey.ApplicationName);
        Assert.True(application.VerifyPin(ServedNetwork.Pin).Succeeded, $"{node.Party}/{userId}: the demo PIN opens no USBKey");
        var outcome = await LoginClient.LoginAsync(client, userId, application.OpenContainer(SoftUsbKey.SignContainerName));
        Assert.True(outcome.Ok, $"{node.Party}/{userId} could not log in: {outcome.Status} {outcome.Code} {outcome.Title}");
        return outcome.Session!.Token;
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }

        foreach (var client in Clients.Values)
        {
            client.Dispose();
        }

        foreach (var device in _devices)
        {
            device.Dispose();
        }

        Network?.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
