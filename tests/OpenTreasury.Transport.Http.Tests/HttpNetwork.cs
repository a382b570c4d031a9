using System.Net;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using OpenTreasury.Business;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.Tests;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Envelopes;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Transport.Http.Tests;

/// <summary>
/// The test network of <see cref="TestNetwork"/> with Finance and bank 102 each behind a real Kestrel server on
/// 127.0.0.1 (port chosen by the OS), each delivering with an <see cref="HttpTransport"/> and its own worker.
/// </summary>
internal sealed class HttpNetwork : IAsyncDisposable
{
    private readonly Dictionary<PartyId, InboxServer> _servers = [];
    private readonly Dictionary<PartyId, Uri> _addresses = [];

    private HttpNetwork()
    {
    }

    public TestNetwork Net { get; } = new();

    public HttpTransport FinanceTransport { get; private set; } = null!;

    public HttpTransport BankTransport { get; private set; } = null!;

    public DeliveryWorker FinanceWorker { get; private set; } = null!;

    public DeliveryWorker BankWorker { get; private set; } = null!;

    public PeerTable Peers { get; private set; } = null!;

    public Uri AddressOf(PartyId party) => _addresses[party];

    public static async Task<HttpNetwork> StartAsync()
    {
        var network = new HttpNetwork();
        foreach (var node in new[] { network.Net.Finance, network.Net.Bank102 })
        {
            var server = await InboxServer.StartAsync(node.Library, network.Envelopes(node.Party));
            network._servers[node.Party] = server;
            network._addresses[node.Party] = server.Address;
        }

        // The peer table as a node reads it from its file.
        network.Peers = PeerTable.Parse($$"""
            { "finance": "{{network._addresses[PartyId.Finance]}}", "bank-102": "{{network._addresses[TestNetwork.Bank102Party]}}" }
            """);
        network.FinanceTransport = new HttpTransport(network.Envelopes(PartyId.Finance), network.Peers);
        network.BankTransport = new HttpTransport(network.Envelopes(TestNetwork.Bank102Party), network.Peers);
        network.FinanceWorker = new DeliveryWorker(network.Net.Finance.Library, network.FinanceTransport, network.Net.Clock);
        network.BankWorker = new DeliveryWorker(network.Net.Bank102.Library, network.BankTransport, network.Net.Clock);
        return network;
    }

    /// <summary>A node's credential as the node loads it from its folder.</summary>
    public NodeCredential Credential(PartyId party) =>
        NodeCredential.Load(Path.Combine(Net.Directory, party.ToString(), "keys"), party, Simulation.TreasuryNetwork.DemoPassphrase);

    public NodeEnvelopes Envelopes(PartyId party) => Envelopes(Credential(party));

    public NodeEnvelopes Envelopes(NodeCredential credential) => new(credential, Net.Network.Trust.Validator, Net.Clock, new SecureRandom());

    /// <summary>Takes a node's server down; <see cref="RestartAsync"/> brings it back on the same address.</summary>
    public async Task StopAsync(PartyId party)
    {
        await _servers[party].DisposeAsync();
        _servers.Remove(party);
    }

    public async Task RestartAsync(PartyId party, NodeCredential? credential = null)
    {
        var node = Net.Network.Nodes[party];
        _servers[party] = await InboxServer.StartAsync(node.Library, Envelopes(credential ?? Credential(party)), _addresses[party].Port);
    }

    /// <summary>The outbox of a node, oldest first.</summary>
    public static IReadOnlyList<OutboxEntry> Outbox(TreasuryNode node)
    {
        using var connection = node.Library.Database.Connect();
        return [.. connection.Query<OutboxEntry>(
            "SELECT message_id AS MessageId, receiver AS Receiver, kind AS Kind, payload AS Payload, attempts AS Attempts, last_error AS LastError, delivered_at AS DeliveredAt FROM outbox ORDER BY id")];
    }

    public async ValueTask DisposeAsync()
    {
        FinanceTransport?.Dispose();
        BankTransport?.Dispose();
        foreach (var server in _servers.Values)
        {
            await server.DisposeAsync();
        }

        Net.Dispose();
    }

    internal sealed record OutboxEntry(string MessageId, string Receiver, string Kind, byte[] Payload, long Attempts, string? LastError, string? DeliveredAt)
    {
        public TransportMessage ToMessage(PartyId from) =>
            new(MessageId, from, PartyId.Parse(Receiver), Kind == "voucher" ? MessageKind.Voucher : MessageKind.Status, Payload);
    }
}

/// <summary>A Kestrel server on 127.0.0.1 with one node's inbox mapped, or any endpoints a test maps.</summary>
internal sealed class InboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InboxServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static Task<InboxServer> StartAsync(IMessageReceiver receiver, NodeEnvelopes envelopes, int port = 0) =>
        StartAsync(app => app.MapNodeInbox(receiver, envelopes), port);

    public static async Task<InboxServer> StartAsync(Action<WebApplication> map, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return new InboxServer(app, new Uri(app.Urls.Single()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
