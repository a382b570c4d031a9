using System.Net.Http.Json;
using OpenTreasury.Domain.Parties;

namespace OpenTreasury.Simulation.Demo;

/// <summary>Where the demo's steps are carried out: each party's node, in this process or in its own.</summary>
public interface IDemoParties
{
    /// <summary>The parties in the order the network settles them: Finance, PBOC, then the banks.</summary>
    IReadOnlyList<PartyId> Parties { get; }

    Task<DemoOutcome> RunAsync(PartyId party, DemoAction action, CancellationToken cancellationToken);
}

/// <summary>Moving the network until it is quiet, the same rounds whichever way the nodes run.</summary>
public static class DemoSettling
{
    private const int DeliveryRoundsMax = 1_000;
    private const int ProcessRoundsMax = 100;

    /// <summary>
    /// Delivers everything due (every node, until a round delivers nothing), then lets every desk work what arrived;
    /// again until a round both delivers and handles nothing — as <see cref="TreasuryNetwork.SettleAndProcessAsync"/>.
    /// </summary>
    public static async Task SettleAndProcessAsync(this IDemoParties parties, DateOnly businessDate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parties);
        for (var round = 0; round < ProcessRoundsMax; round++)
        {
            var delivered = 0;
            for (var deliveryRound = 0; ; deliveryRound++)
            {
                if (deliveryRound == DeliveryRoundsMax)
                {
                    throw new InvalidOperationException($"the network did not settle after {DeliveryRoundsMax} delivery rounds");
                }

                var now = 0;
                foreach (var party in parties.Parties)
                {
                    now += (await parties.RunAsync(party, new Deliver(), cancellationToken).ConfigureAwait(false)).Count;
                }

                delivered += now;
                if (now == 0)
                {
                    break;
                }
            }

            var handled = 0;
            foreach (var party in parties.Parties)
            {
                handled += (await parties.RunAsync(party, new ProcessReceived(businessDate), cancellationToken).ConfigureAwait(false)).Count;
            }

            if (delivered == 0 && handled == 0)
            {
                return;
            }
        }

        throw new InvalidOperationException($"the network did not come to rest after {ProcessRoundsMax} rounds");
    }
}

/// <summary>Every node in this process (the embedded default).</summary>
public sealed class InProcessDemoParties(TreasuryNetwork network) : IDemoParties
{
    public IReadOnlyList<PartyId> Parties { get; } = [.. network.Nodes.Keys];

    public Task<DemoOutcome> RunAsync(PartyId party, DemoAction action, CancellationToken cancellationToken) =>
        DemoActions.ExecuteAsync(network.Nodes[party], action, cancellationToken);
}

/// <summary>
/// Every node in its own process: each step is posted to the node's <c>/demo/action</c> with the run's token. A node
/// that cannot be reached ends the run (rerunning the same command finishes the plan).
/// </summary>
public sealed class HttpDemoParties(IReadOnlyList<(PartyId Party, Uri BaseUrl)> nodes, string token, HttpClient http) : IDemoParties
{
    /// <summary>The header carrying the run's token: only the driver that started the nodes may move them.</summary>
    public const string TokenHeader = "X-OpenTreasury-Demo-Token";

    public const string ActionPath = "/demo/action";

    private readonly Dictionary<PartyId, Uri> _urls = nodes.ToDictionary(n => n.Party, n => n.BaseUrl);

    public IReadOnlyList<PartyId> Parties { get; } = [.. nodes.Select(n => n.Party)];

    public async Task<DemoOutcome> RunAsync(PartyId party, DemoAction action, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_urls[party], ActionPath))
        {
            Content = JsonContent.Create(action, options: DemoActions.Json),
        };
        request.Headers.Add(TokenHeader, token);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new DemoNodeUnreachableException(party, ex.Message, ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new DemoNodeUnreachableException(party, $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}", null);
            }

            return await response.Content.ReadFromJsonAsync<DemoOutcome>(DemoActions.Json, cancellationToken).ConfigureAwait(false)
                ?? throw new DemoNodeUnreachableException(party, "an empty answer", null);
        }
    }
}

/// <summary>A node process of a <c>demo --processes</c> run did not answer (it died, or was killed).</summary>
public sealed class DemoNodeUnreachableException : Exception
{
    public DemoNodeUnreachableException()
    {
    }

    public DemoNodeUnreachableException(string message)
        : base(message)
    {
    }

    public DemoNodeUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DemoNodeUnreachableException(PartyId party, string reason, Exception? innerException)
        : base($"节点 {party} 无响应 node {party} did not answer: {reason}", innerException)
    {
        Party = party;
    }

    public PartyId? Party { get; }
}
