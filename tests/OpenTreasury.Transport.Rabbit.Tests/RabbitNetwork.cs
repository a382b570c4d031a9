using Dapper;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Tests;
using OpenTreasury.Transport.Http;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Envelopes;
using Org.BouncyCastle.Security;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OpenTreasury.Transport.Rabbit.Tests;

/// <summary>
/// The test network of <see cref="TestNetwork"/> with Finance and bank 102 talking through the broker: each sends with a
/// <see cref="RabbitTransport"/> and its own worker, and receives with a <see cref="RabbitInbox"/>.
/// </summary>
internal sealed class RabbitNetwork : IAsyncDisposable
{
    /// <summary>Every wait in these tests ends by this bound.</summary>
    public static readonly TimeSpan WaitMax = TimeSpan.FromSeconds(20);

    private readonly Dictionary<PartyId, RabbitInbox> _inboxes = [];
    private readonly List<RabbitTransport> _transports = [];

    private RabbitNetwork(RabbitBroker broker) => Broker = broker;

    public RabbitBroker Broker { get; }

    public TestNetwork Net { get; } = new();

    public RabbitTransport FinanceTransport { get; private set; } = null!;

    public RabbitTransport BankTransport { get; private set; } = null!;

    public DeliveryWorker FinanceWorker { get; private set; } = null!;

    public DeliveryWorker BankWorker { get; private set; } = null!;

    /// <summary>The nodes' certificates as a folder of <c>&lt;party&gt;.crt.pem</c>, as an operator would lay them out.</summary>
    public string CertificateFolder { get; private set; } = null!;

    public static async Task<RabbitNetwork> StartAsync(RabbitBroker broker, TimeSpan? answerWait = null)
    {
        broker.WaitForTemplate();
        await DeleteQueuesAsync(broker.Uri);
        var network = new RabbitNetwork(broker);
        network.CertificateFolder = Path.Combine(network.Net.Directory, "peer-certificates");
        Directory.CreateDirectory(network.CertificateFolder);
        foreach (var party in network.Net.Network.Nodes.Keys)
        {
            var name = NodeCredential.CertificateFileName(party);
            File.Copy(Path.Combine(network.Net.Directory, party.ToString(), "keys", name), Path.Combine(network.CertificateFolder, name));
        }

        network.FinanceTransport = network.Transport(PartyId.Finance, answerWait);
        network.BankTransport = network.Transport(TestNetwork.Bank102Party, answerWait);
        network.FinanceWorker = new DeliveryWorker(network.Net.Finance.Library, network.FinanceTransport, network.Net.Clock);
        network.BankWorker = new DeliveryWorker(network.Net.Bank102.Library, network.BankTransport, network.Net.Clock);
        await network.StartInboxAsync(PartyId.Finance);
        await network.StartInboxAsync(TestNetwork.Bank102Party);
        return network;
    }

    public RabbitTransport Transport(PartyId party, TimeSpan? answerWait = null)
    {
        var transport = new RabbitTransport(Envelopes(party), Broker.Uri, new PeerCertificateDirectory(CertificateFolder), answerWait);
        _transports.Add(transport);
        return transport;
    }

    /// <summary>A node's credential as the node loads it from its folder.</summary>
    public NodeCredential Credential(PartyId party) =>
        NodeCredential.Load(Path.Combine(Net.Directory, party.ToString(), "keys"), party, Simulation.TreasuryNetwork.DemoPassphrase);

    public NodeEnvelopes Envelopes(PartyId party) => Envelopes(Credential(party));

    public NodeEnvelopes Envelopes(NodeCredential credential) => new(credential, Net.Network.Trust.Validator, Net.Clock, new SecureRandom());

    public RabbitInbox Inbox(PartyId party) => _inboxes[party];

    /// <summary>Starts a node's inbox consumer (with <paramref name="receiver"/> instead of its library, or another credential, when a test says so) and waits until it consumes.</summary>
    public async Task<RabbitInbox> StartInboxAsync(PartyId party, IMessageReceiver? receiver = null, NodeCredential? credential = null, TimeSpan? transientRetryDelay = null)
    {
        var inbox = new RabbitInbox(receiver ?? Net.Network.Nodes[party].Library, Envelopes(credential ?? Credential(party)), Broker.Uri, transientRetryDelay: transientRetryDelay);
        inbox.Start();
        Assert.True(await inbox.WaitUntilConsumingAsync(WaitMax), $"the inbox of {party} did not start consuming within {WaitMax}");
        _inboxes[party] = inbox;
        return inbox;
    }

    public async Task StopInboxAsync(PartyId party)
    {
        await _inboxes[party].DisposeAsync();
        _inboxes.Remove(party);
    }

    /// <summary>Messages ready in a queue now.</summary>
    public Task<uint> CountAsync(string queue) => DeadLetters.CountAsync(Broker.Uri, queue, CancellationToken.None);

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; false when it did not within <see cref="WaitMax"/>.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + WaitMax;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return await condition();
    }

    /// <summary>Publishes raw bytes to a party's inbox, as a broken or hostile sender could.</summary>
    public async Task PublishRawAsync(PartyId to, byte[] body, string messageId, string from)
    {
        var factory = new ConnectionFactory { Uri = Broker.Uri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties
        {
            MessageId = messageId,
            DeliveryMode = DeliveryModes.Persistent,
            Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
            Headers = new Dictionary<string, object?> { [RabbitTopology.FromHeader] = from },
        };
        await channel.BasicPublishAsync(string.Empty, RabbitTopology.InboxQueue(to), mandatory: true, properties, body);
    }

    /// <summary>The outbox of a node, oldest first.</summary>
    public static IReadOnlyList<OutboxRow> Outbox(Business.TreasuryNode node)
    {
        using var connection = node.Library.Database.Connect();
        return [.. connection.Query<OutboxRow>(
            "SELECT message_id AS MessageId, receiver AS Receiver, kind AS Kind, payload AS Payload, attempts AS Attempts, last_error AS LastError, delivered_at AS DeliveredAt FROM outbox ORDER BY id")];
    }

    /// <summary>Every queue the tests use, deleted, so each test starts with an empty broker.</summary>
    public static async Task DeleteQueuesAsync(Uri broker)
    {
        var factory = new ConnectionFactory { Uri = broker };
        await using var connection = await factory.CreateConnectionAsync();
        foreach (var party in new[] { "finance", "pboc", "bank-102", "bank-103" })
        {
            foreach (var queue in new[] { $"ot.{party}.inbox", $"ot.{party}.dead" })
            {
                await using var channel = await connection.CreateChannelAsync();
                try
                {
                    await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
                }
                catch (OperationInterruptedException)
                {
                    // Not there.
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var inbox in _inboxes.Values)
        {
            await inbox.DisposeAsync();
        }

        foreach (var transport in _transports)
        {
            await transport.DisposeAsync();
        }

        Net.Dispose();
    }

    internal sealed record OutboxRow(string MessageId, string Receiver, string Kind, byte[] Payload, long Attempts, string? LastError, string? DeliveredAt)
    {
        public TransportMessage ToMessage(PartyId from) =>
            new(MessageId, from, PartyId.Parse(Receiver), Kind == "voucher" ? MessageKind.Voucher : MessageKind.Status, Payload);
    }
}
