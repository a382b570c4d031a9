using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Tests;
using OpenTreasury.Trust.Certificates;

namespace OpenTreasury.Transport.Rabbit.Tests;

/// <summary>Vouchers and status notices between nodes through a real broker: sealed both ways, answered, deduped, dead-lettered once.</summary>
[Collection(SharedBroker.Name)]
public sealed class RabbitDeliveryTests(RabbitBroker broker) : IAsyncLifetime
{
    private static readonly PartyId Bank = TestNetwork.Bank102Party;
    private RabbitNetwork _rabbit = null!;

    private TestNetwork Net => _rabbit.Net;

    public async Task InitializeAsync() => _rabbit = await RabbitNetwork.StartAsync(broker, TimeSpan.FromSeconds(10));

    public async Task DisposeAsync() => await _rabbit.DisposeAsync();

    [BrokerFact]
    public async Task A_voucher_sent_through_the_broker_is_stored_at_the_bank_and_its_signing_for_comes_back_the_same_way()
    {
        var id = Net.SendPayment("ZF-0001");

        Assert.Equal(1, await _rabbit.FinanceWorker.DeliverDueAsync(CancellationToken.None));

        var sent = Net.Finance.Library.Find(id)!;
        var received = Assert.Single(Net.Bank102.Library.ReadReceived());
        Assert.Equal(sent.Digest, received.Digest);
        Assert.Equal("finance", received.Sender);
        Assert.Equal(VoucherStatus.Received, TestNetwork.DeliveryOf(Net.Finance, id).Status);
        Assert.NotNull(Assert.Single(RabbitNetwork.Outbox(Net.Finance)).DeliveredAt);
        Assert.Equal(1, _rabbit.Inbox(Bank).Stored);
        Assert.Equal(0u, await _rabbit.CountAsync(RabbitTopology.InboxQueue(Bank)));

        Net.Bank102.Library.Run(s => Net.Bank102.Library.SignFor(s, received.Id, TestNetwork.BankClerk)).ThrowIfRefused();
        Assert.Equal(1, await _rabbit.BankWorker.DeliverDueAsync(CancellationToken.None));
        Assert.Equal(VoucherStatus.SignedFor, TestNetwork.DeliveryOf(Net.Finance, id).Status);
        Assert.Equal(1, TestNetwork.Count(Net.Finance, "SELECT COUNT(*) FROM applied_notices"));
    }

    [BrokerFact]
    public async Task The_same_message_delivered_again_and_the_same_envelope_redelivered_by_the_broker_are_stored_once()
    {
        Net.SendPayment("ZF-0001");
        var message = Assert.Single(RabbitNetwork.Outbox(Net.Finance)).ToMessage(PartyId.Finance);

        var first = await _rabbit.FinanceTransport.DeliverAsync(message, CancellationToken.None);
        var second = await _rabbit.FinanceTransport.DeliverAsync(message, CancellationToken.None);
        // The very same sealed bytes twice, as the broker hands a message again after a lost acknowledgement.
        var certificate = _rabbit.Credential(Bank).Certificate;
        var envelope = _rabbit.Envelopes(PartyId.Finance).Seal(certificate, message.MessageId, (ushort)message.Kind, message.Payload);
        await _rabbit.PublishRawAsync(Bank, envelope, message.MessageId, "finance");
        await _rabbit.PublishRawAsync(Bank, envelope, message.MessageId, "finance");

        Assert.True(await RabbitNetwork.EventuallyAsync(() => Task.FromResult(_rabbit.Inbox(Bank).Stored == 4)));
        Assert.Equal(VoucherStatus.Received, first.Status);
        Assert.Equal(first, second);
        Assert.Equal(1, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));
        Assert.Equal(1, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM inbox"));
        Assert.Equal(0u, await _rabbit.CountAsync(RabbitTopology.DeadQueue(Bank)));
    }

    [BrokerFact]
    public async Task A_consumer_killed_after_the_commit_and_before_the_ack_gets_the_message_again_and_stores_it_once()
    {
        var id = Net.SendPayment("ZF-0001");
        await _rabbit.StopInboxAsync(Bank);
        using var committed = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        var stalling = new StallAfterCommit(Net.Bank102.Library, committed, release);
        var first = await _rabbit.StartInboxAsync(Bank, stalling);

        var delivery = _rabbit.FinanceWorker.DeliverDueAsync(CancellationToken.None);
        Assert.True(await committed.WaitAsync(RabbitNetwork.WaitMax), "the bank's inbox did not receive the message");
        // Stored at the bank, not yet acknowledged: the consumer dies now.
        Assert.Equal(1, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));
        await _rabbit.StopInboxAsync(Bank);
        release.Release();
        Assert.Equal(0, first.Stored);
        Assert.True(await RabbitNetwork.EventuallyAsync(async () => await _rabbit.CountAsync(RabbitTopology.InboxQueue(Bank)) == 1), "the unacknowledged message did not go back to the queue");

        var second = await _rabbit.StartInboxAsync(Bank);

        // The new consumer stores nothing new and answers; Finance, still waiting, hears received.
        Assert.Equal(1, await delivery.WaitAsync(RabbitNetwork.WaitMax));
        Assert.Equal(1, second.Stored);
        Assert.Equal(1, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));
        Assert.Equal(1, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM inbox"));
        Assert.Equal(VoucherStatus.Received, TestNetwork.DeliveryOf(Net.Finance, id).Status);
        Assert.Equal(0u, await _rabbit.CountAsync(RabbitTopology.InboxQueue(Bank)));
    }

    [BrokerFact]
    public async Task A_store_that_cannot_take_a_message_now_gets_it_again_and_nothing_is_acknowledged_before()
    {
        var id = Net.SendPayment("ZF-0001");
        await _rabbit.StopInboxAsync(Bank);
        var busy = new BusyTimes(Net.Bank102.Library, times: 2);
        var inbox = await _rabbit.StartInboxAsync(Bank, busy, transientRetryDelay: TimeSpan.FromMilliseconds(50));

        Assert.Equal(1, await _rabbit.FinanceWorker.DeliverDueAsync(CancellationToken.None));

        Assert.Equal(3, busy.Calls);
        Assert.Equal(1, inbox.Stored);
        Assert.Equal(VoucherStatus.Received, TestNetwork.DeliveryOf(Net.Finance, id).Status);
        Assert.Equal(1, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));
    }

    [BrokerFact]
    public async Task A_message_that_does_not_open_lands_in_the_dead_queue_once_and_stays_there()
    {
        await _rabbit.PublishRawAsync(Bank, "not an envelope"u8.ToArray(), "poison-1", "finance");

        Assert.True(await RabbitNetwork.EventuallyAsync(async () => await _rabbit.CountAsync(RabbitTopology.DeadQueue(Bank)) == 1), "the poison message did not reach the dead queue");
        // And stays there: no consumer, no dead-letter exchange of its own, so nothing moves it again.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, _rabbit.Inbox(Bank).Rejected);
        Assert.Equal(1u, await _rabbit.CountAsync(RabbitTopology.DeadQueue(Bank)));
        Assert.Equal(0u, await _rabbit.CountAsync(RabbitTopology.InboxQueue(Bank)));

        // Listing it twice changes nothing.
        var listed = Assert.Single(await DeadLetters.ListAsync(broker.Uri, Bank, CancellationToken.None));
        Assert.Single(await DeadLetters.ListAsync(broker.Uri, Bank, CancellationToken.None));
        Assert.Equal(("poison-1", "finance", "rejected", 15, 1L), (listed.MessageId, listed.Sender, listed.Reason, listed.Bytes, listed.Deaths));
        Assert.NotNull(listed.DeadAt);
        Assert.Equal(1u, await _rabbit.CountAsync(RabbitTopology.DeadQueue(Bank)));
        Assert.Equal(0, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));
    }

    [BrokerFact]
    public async Task A_replayed_message_that_is_still_poison_goes_back_to_the_dead_queue_once_not_in_a_loop()
    {
        await _rabbit.PublishRawAsync(Bank, "not an envelope"u8.ToArray(), "poison-1", "finance");
        Assert.True(await RabbitNetwork.EventuallyAsync(async () => await _rabbit.CountAsync(RabbitTopology.DeadQueue(Bank)) == 1));

        var replayed = Assert.Single(await DeadLetters.ReplayAsync(broker.Uri, Bank, CancellationToken.None));

        Assert.Equal("poison-1", replayed.MessageId);
        Assert.True(await RabbitNetwork.EventuallyAsync(() => Task.FromResult(_rabbit.Inbox(Bank).Rejected == 2)));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(2, _rabbit.Inbox(Bank).Rejected);
        var back = Assert.Single(await DeadLetters.ListAsync(broker.Uri, Bank, CancellationToken.None));
        Assert.Equal((1L, 2L), (back.Replays, back.Deaths));
        Assert.Equal(0u, await _rabbit.CountAsync(RabbitTopology.InboxQueue(Bank)));
    }

    [BrokerFact]
    public async Task A_message_sealed_for_a_key_the_bank_no_longer_has_is_dead_lettered_and_stored_once_when_replayed_after_the_mix_up_is_mended()
    {
        var id = Net.SendPayment("ZF-0001");
        // The bank's inbox runs, by mistake, with a renewed key; what Finance seals to the published certificate does not open.
        await _rabbit.StopInboxAsync(Bank);
        var keys = Trust.Crypto.Sm2.GenerateKeyPair(new Org.BouncyCastle.Security.SecureRandom());
        var renewed = new NodeCredential(Bank, Net.Network.Authority.IssueInstitution(Csr.ForInstitution(Bank, "中国工商银行", keys.Private, new Org.BouncyCastle.Security.SecureRandom()), Bank, "中国工商银行"), keys.Private);
        await _rabbit.StartInboxAsync(Bank, credential: renewed);
        using var quick = _rabbit.Transport(PartyId.Finance, TimeSpan.FromSeconds(2));

        var message = Assert.Single(RabbitNetwork.Outbox(Net.Finance)).ToMessage(PartyId.Finance);
        var failure = await Assert.ThrowsAsync<TransportException>(() => quick.DeliverAsync(message, CancellationToken.None));
        Assert.Contains("did not answer", failure.Message, StringComparison.Ordinal);
        Assert.True(await RabbitNetwork.EventuallyAsync(async () => await _rabbit.CountAsync(RabbitTopology.DeadQueue(Bank)) == 1));
        Assert.Equal(0, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));

        // Mended: the inbox runs with the bank's own key again; the operator replays the dead letter.
        await _rabbit.StopInboxAsync(Bank);
        var inbox = await _rabbit.StartInboxAsync(Bank);
        Assert.Single(await DeadLetters.ReplayAsync(broker.Uri, Bank, CancellationToken.None));
        Assert.True(await RabbitNetwork.EventuallyAsync(() => Task.FromResult(inbox.Stored == 1)));
        Assert.Equal(0u, await _rabbit.CountAsync(RabbitTopology.DeadQueue(Bank)));
        Assert.Equal(1, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));

        // Finance's outbox still holds it (no answer reached it); its retry is answered received and stores nothing new.
        Net.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await _rabbit.FinanceWorker.DeliverDueAsync(CancellationToken.None));
        Assert.Equal(VoucherStatus.Received, TestNetwork.DeliveryOf(Net.Finance, id).Status);
        Assert.Equal(1, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));
    }

    [BrokerFact]
    public async Task A_message_the_store_keeps_refusing_goes_to_the_dead_queue_at_the_delivery_limit()
    {
        Net.SendPayment("ZF-0001");
        await _rabbit.StopInboxAsync(Bank);
        var busy = new BusyTimes(Net.Bank102.Library, times: int.MaxValue);
        await _rabbit.StartInboxAsync(Bank, busy, transientRetryDelay: TimeSpan.FromMilliseconds(20));
        using var quick = _rabbit.Transport(PartyId.Finance, TimeSpan.FromSeconds(2));
        var message = Assert.Single(RabbitNetwork.Outbox(Net.Finance)).ToMessage(PartyId.Finance);

        await Assert.ThrowsAsync<TransportException>(() => quick.DeliverAsync(message, CancellationToken.None));

        Assert.True(await RabbitNetwork.EventuallyAsync(async () => await _rabbit.CountAsync(RabbitTopology.DeadQueue(Bank)) == 1));
        await Task.Delay(TimeSpan.FromSeconds(1));
        // The first delivery and DeliveryLimit more, then no more.
        Assert.Equal(RabbitTopology.DeliveryLimit + 1, busy.Calls);
        Assert.Equal("delivery_limit", Assert.Single(await DeadLetters.ListAsync(broker.Uri, Bank, CancellationToken.None)).Reason);
    }

    [BrokerFact]
    public async Task A_receiver_without_an_inbox_queue_is_an_error_not_a_silent_loss()
    {
        var library = Net.Finance.Library;
        library.Run(s => library.Issue(s, Net.Payment("ZF-0103", "10.00"), [TestNetwork.Bank103Party], Net.FinanceSigner(TestNetwork.UnitClerk), Net.FinanceSigner(TestNetwork.UnitHead))).ThrowIfRefused();
        var message = Assert.Single(RabbitNetwork.Outbox(Net.Finance)).ToMessage(PartyId.Finance);

        var failure = await Assert.ThrowsAsync<TransportException>(() => _rabbit.FinanceTransport.DeliverAsync(message, CancellationToken.None));

        Assert.Contains("unroutable", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, await _rabbit.FinanceWorker.DeliverDueAsync(CancellationToken.None));
        var kept = Assert.Single(RabbitNetwork.Outbox(Net.Finance));
        Assert.Null(kept.DeliveredAt);
        Assert.Contains("unroutable", kept.LastError, StringComparison.Ordinal);
    }

    [BrokerFact]
    public async Task A_broker_that_cannot_be_reached_is_a_transport_exception_at_once()
    {
        Net.SendPayment("ZF-0001");
        var message = Assert.Single(RabbitNetwork.Outbox(Net.Finance)).ToMessage(PartyId.Finance);
        using var nowhere = new RabbitTransport(_rabbit.Envelopes(PartyId.Finance), new Uri("amqp://guest:guest@127.0.0.1:1/"), new Http.PeerCertificateDirectory(_rabbit.CertificateFolder));

        var started = DateTime.UtcNow;
        var failure = await Assert.ThrowsAsync<TransportException>(() => nowhere.DeliverAsync(message, CancellationToken.None));

        Assert.Contains("not reachable", failure.Message, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(RabbitTopology.ConnectTimeoutSecondsMax + 2));
        Assert.Equal(0, TestNetwork.Count(Net.Bank102, "SELECT COUNT(*) FROM vouchers"));
    }

    /// <summary>The library's receiving, then a stall until released: a consumer that dies between the commit and the acknowledgement.</summary>
    private sealed class StallAfterCommit(IMessageReceiver inner, SemaphoreSlim committed, SemaphoreSlim release) : IMessageReceiver
    {
        public PartyId Party => inner.Party;

        public DeliveryAnswer Receive(TransportMessage message)
        {
            var answer = inner.Receive(message);
            committed.Release();
            release.Wait(RabbitNetwork.WaitMax);
            return answer;
        }
    }

    /// <summary>A store that is busy for the first <paramref name="times"/> messages, then the library.</summary>
    private sealed class BusyTimes(IMessageReceiver inner, int times) : IMessageReceiver
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public PartyId Party => inner.Party;

        public DeliveryAnswer Receive(TransportMessage message) =>
            Interlocked.Increment(ref _calls) <= times ? throw new TransportException("the database is busy") : inner.Receive(message);
    }
}
