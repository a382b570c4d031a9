using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Tests;

namespace OpenTreasury.Transport.Rabbit.Tests;

/// <summary>The broker stops and starts again in the middle of a stream of vouchers: the outbox and the quorum queue between them lose nothing and the inbox stores nothing twice.</summary>
[Collection(SharedBroker.Name)]
public sealed class BrokerRestartTests(RabbitBroker broker) : IAsyncLifetime
{
    private const int Vouchers = 12;
    private RabbitNetwork _rabbit = null!;

    private TestNetwork Net => _rabbit.Net;

    public async Task InitializeAsync() => _rabbit = await RabbitNetwork.StartAsync(broker, TimeSpan.FromSeconds(3));

    public async Task DisposeAsync()
    {
        await _rabbit.DisposeAsync();
        if (broker.Private && !Listening())
        {
            broker.Start();
        }
    }

    [BrokerFact]
    public async Task A_broker_restart_in_the_middle_of_a_stream_loses_nothing_and_duplicates_nothing()
    {
        Assert.True(broker.Private, $"this test restarts the broker; with {RabbitBroker.UriVariable} it cannot");
        var ids = Enumerable.Range(1, Vouchers).Select(i => Net.SendPayment($"ZF-{i:0000}", "10.00")).ToList();
        var bank = TestNetwork.Bank102Party;

        // The first few get through; then the broker goes down while the rest are waiting in Finance's outbox.
        Assert.Equal(4, await _rabbit.FinanceWorker.DeliverDueAsync(4, CancellationToken.None));
        broker.Stop();
        Assert.Equal(0, await _rabbit.FinanceWorker.DeliverDueAsync(CancellationToken.None));
        Assert.Equal(Vouchers - 4, _rabbit.FinanceWorker.Pending());
        Assert.Equal(4, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));

        broker.Start();
        Assert.True(await RabbitNetwork.EventuallyAsync(() => Task.FromResult(_rabbit.Inbox(bank).Consuming)), "the bank's inbox did not reconnect");
        // The outbox retries after its backoff (the fake clock moves it; well inside the envelopes' age limit).
        for (var round = 0; round < 10 && _rabbit.FinanceWorker.Pending() > 0; round++)
        {
            Net.Clock.Advance(TimeSpan.FromSeconds(2));
            await _rabbit.FinanceWorker.DeliverDueAsync(CancellationToken.None);
        }

        Assert.Equal(0, _rabbit.FinanceWorker.Pending());
        Assert.Equal(Vouchers, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));
        Assert.Equal(Vouchers, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM inbox"));
        Assert.All(ids, id => Assert.Equal(VoucherStatus.Received, TestNetwork.DeliveryOf(Net.Finance, id).Status));
        Assert.Equal(0u, await _rabbit.CountAsync(RabbitTopology.DeadQueue(bank)));
        Assert.Equal(0u, await _rabbit.CountAsync(RabbitTopology.InboxQueue(bank)));
    }

    [BrokerFact]
    public async Task A_message_published_before_the_broker_restarts_is_still_in_the_quorum_queue_after_it()
    {
        Assert.True(broker.Private, $"this test restarts the broker; with {RabbitBroker.UriVariable} it cannot");
        var bank = TestNetwork.Bank102Party;
        var id = Net.SendPayment("ZF-0001");
        await _rabbit.StopInboxAsync(bank);
        // Published and confirmed while nobody consumes, so the sender times out and keeps it in its outbox.
        Assert.Equal(0, await _rabbit.FinanceWorker.DeliverDueAsync(CancellationToken.None));
        Assert.Equal(1u, await _rabbit.CountAsync(RabbitTopology.InboxQueue(bank)));

        broker.Stop();
        broker.Start();

        Assert.Equal(1u, await _rabbit.CountAsync(RabbitTopology.InboxQueue(bank)));
        var inbox = await _rabbit.StartInboxAsync(bank);
        Assert.True(await RabbitNetwork.EventuallyAsync(() => Task.FromResult(inbox.Stored == 1)));
        Net.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await _rabbit.FinanceWorker.DeliverDueAsync(CancellationToken.None));
        Assert.Equal(VoucherStatus.Received, TestNetwork.DeliveryOf(Net.Finance, id).Status);
        Assert.Equal(1, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));
        Assert.Equal(2, inbox.Stored);
    }

    private bool Listening()
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect(System.Net.IPAddress.Loopback, broker.Port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
