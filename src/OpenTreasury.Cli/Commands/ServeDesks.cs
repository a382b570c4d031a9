using Microsoft.AspNetCore.Builder;
using OpenTreasury.Agent;
using OpenTreasury.Desk;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Server;
using OpenTreasury.Simulation;
using OpenTreasury.Simulation.Demo;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// The nodes of a network in one process with their desks, and one support control per party's people folder (the
/// sample's stand-in for each person's own machine): every node's host serves its library and its desks; each
/// control answers only its party's desk. Prints <c>&lt;party&gt; &lt;URL&gt;</c> per node first, then the desks, the
/// controls and the sample logins.
/// </summary>
internal static class ServeDesks
{
    /// <summary>The sample's desks listen from here (finance, pboc, bank-102, bank-103), its support controls from <see cref="SampleAgentPortBase"/>.</summary>
    public const int SamplePortBase = 5180;

    public const int SampleAgentPortBase = 5290;

    /// <summary>The sample's business: payments over a few days, so every desk has something to show.</summary>
    public const int SamplePayments = 60;

    public const int SampleDays = 3;

    /// <summary>Where <c>treasury serve</c> keeps its sample network: the user's data folder.</summary>
    public static string SampleFolder() =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"),
            "opentreasury", "sample");

    /// <summary>Makes the sample network with a few days of business, once; later starts reopen it.</summary>
    public static async Task EnsureSampleAsync(string folder, CancellationToken cancellationToken)
    {
        if (TreasuryNetwork.Exists(folder) && File.Exists(Path.Combine(folder, SampleDoneFile)))
        {
            return;
        }

        Console.WriteLine($"首次启动：在 {folder} 建立示例网络（芒市 533103），并办理 {SampleDays} 天业务…");
        using (var network = TreasuryNetwork.OpenOrCreate(folder, () => SampleMasterData.Mangshi(2026), TimeProvider.System, TreasuryNetwork.DemoPins))
        {
            var plan = DemoPlan.Create(network.Master, 1, SamplePayments) with { Days = SampleDays };
            await new DemoRunner(network, _ => { }).RunAsync(plan, cancellationToken).ConfigureAwait(false);
        }

        File.WriteAllText(Path.Combine(folder, SampleDoneFile), "The sample's business was run; `treasury serve` reopens this network.\n");
    }

    private const string SampleDoneFile = "SAMPLE-READY.txt";

    /// <summary>Builds and starts every node's host with its desks, then the support controls; the caller stops them.</summary>
    public static async Task<IReadOnlyList<WebApplication>> StartAsync(TreasuryNetwork network, string folder, int? portBase, int? agentPortBase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(network);
        var parties = network.Nodes.Keys.ToList();
        var agents = new List<(PartyId Party, WebApplication App, AgentOrigins Origins, IReadOnlyList<string> People)>();
        var apps = new List<WebApplication>();
        try
        {
            // The support controls first, so each desk knows where its people's control listens.
            for (var i = 0; i < parties.Count; i++)
            {
                var people = Path.Combine(folder, TreasuryNetwork.PeopleFolder, parties[i].ToString());
                var slots = new SoftTokenFolder(people, new SecureRandom());
                if (slots.People.Count == 0)
                {
                    continue;
                }

                var origins = new AgentOrigins();
                var agent = SupportControl.Build(slots, $"http://127.0.0.1:{(agentPortBase is { } a ? a + i : 0)}", origins, TimeProvider.System, Console.Out);
                await agent.StartAsync(cancellationToken).ConfigureAwait(false);
                apps.Add(agent);
                agents.Add((parties[i], agent, origins, slots.People));
            }

            var hosts = new List<(PartyId Party, WebApplication App)>();
            for (var i = 0; i < parties.Count; i++)
            {
                var party = parties[i];
                var agentUrl = agents.FirstOrDefault(x => x.Party == party).App?.Urls.First() ?? DeskOptions.DefaultAgentUrl;
                var app = NodeHost.Build(network.Nodes[party], $"http://127.0.0.1:{(portBase is { } p ? p + i : 0)}", new NodeHostOptions().WithDesks(new DeskOptions(agentUrl)));
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
                apps.Add(app);
                hosts.Add((party, app));
            }

            foreach (var (party, app) in hosts)
            {
                Console.WriteLine($"{party} {app.Urls.First()}");
            }

            foreach (var (party, app) in hosts)
            {
                var url = app.Urls.First();
                agents.FirstOrDefault(x => x.Party == party).Origins?.Add(url);
                Console.WriteLine($"柜面 desk {party}: {url}/desk");
            }

            foreach (var (party, app, _, people) in agents)
            {
                Console.WriteLine($"支撑控件 agent {party}: {app.Urls.First()}（USBKey {people.Count} 把）");
            }

            PrintLogins(network);
            return apps;
        }
        catch
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private static void PrintLogins(TreasuryNetwork network)
    {
        var master = network.Master;
        Console.WriteLine($"示例登录 sample logins（USBKey PIN {master.DemoPin}；同一人录入与审核会被拒绝）:");
        foreach (var group in master.Users.Where(u => u.Role != Node.People.Authorization.Administrator).GroupBy(u => (u.Party, u.AgencyCode)))
        {
            var who = string.Join("，", group.Select(u => $"{u.Id}（{u.Name}，{u.Role}）"));
            Console.WriteLine($"  {group.Key.Party}{(group.Key.AgencyCode is { } unit ? " 单位 " + unit : string.Empty)}: {who}");
        }
    }
}
