using Dapper;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Node.Tests.Messaging;

/// <summary>The outbox worker: at least once, with backoff, parked after the limit; exactly once at the receiver.</summary>
public sealed class DeliveryTests : IDisposable
{
    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    private OutboxRow Outbox()
    {
        using var connection = _net.Finance.Library.Database.Connect();
        return connection.QuerySingle<OutboxRow>(
            "SELECT attempts AS Attempts, next_attempt_at AS NextAttemptAt, last_error AS LastError, delivered_at AS DeliveredAt, parked AS Parked FROM outbox");
    }

    private Task<int> DeliverAsync() => _net.Finance.Worker.DeliverDueAsync(CancellationToken.None);

    private static string At(DateTimeOffset time) => time.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_voucher_to_an_offline_bank_waits_with_backoff_and_is_delivered_exactly_once_when_it_returns()
    {
        _net.Network.Transport.SetOffline(TestNetwork.Bank102Party, true);
        var id = _net.SendPayment("ZF-0001");

        Assert.Equal(0, await DeliverAsync());
        Assert.Equal(1, _net.Finance.Worker.Pending());
        var first = Outbox();
        Assert.Equal(1, first.Attempts);
        Assert.Contains("not reachable", first.LastError, StringComparison.Ordinal);
        Assert.Equal(At(_net.Clock.GetUtcNow() + TimeSpan.FromSeconds(1)), first.NextAttemptAt);
        Assert.Equal(VoucherStatus.Sent, TestNetwork.DeliveryOf(_net.Finance, id).Status);

        // Not due yet: no attempt is made.
        _net.Clock.Advance(TimeSpan.FromMilliseconds(500));
        await DeliverAsync();
        Assert.Equal(1, Outbox().Attempts);

        // Due: a second attempt, and the wait doubles.
        _net.Clock.Advance(TimeSpan.FromMilliseconds(500));
        await DeliverAsync();
        Assert.Equal(2, Outbox().Attempts);
        Assert.Equal(At(_net.Clock.GetUtcNow() + TimeSpan.FromSeconds(2)), Outbox().NextAttemptAt);

        _net.Clock.Advance(TimeSpan.FromSeconds(2));
        await DeliverAsync();
        Assert.Equal(3, Outbox().Attempts);
        Assert.Equal(At(_net.Clock.GetUtcNow() + TimeSpan.FromSeconds(4)), Outbox().NextAttemptAt);
        Assert.Equal(0, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM vouchers"));

        _net.Network.Transport.SetOffline(TestNetwork.Bank102Party, false);
        _net.Clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(1, await DeliverAsync());
        Assert.Equal(0, await DeliverAsync());

        Assert.Equal(0, _net.Finance.Worker.Pending());
        Assert.NotNull(Outbox().DeliveredAt);
        Assert.Equal(4, Outbox().Attempts);
        Assert.Equal(VoucherStatus.Received, TestNetwork.DeliveryOf(_net.Finance, id).Status);
        Assert.Equal(1, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM vouchers"));
        Assert.Equal(1, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM inbox"));
    }

    [Fact]
    public async Task The_wait_between_attempts_never_exceeds_ten_minutes_and_a_message_is_parked_after_the_attempt_limit()
    {
        _net.Network.Transport.SetOffline(TestNetwork.Bank102Party, true);
        _net.SendPayment("ZF-0001");

        for (var attempt = 1; attempt <= Limits.DeliveryAttemptsMax; attempt++)
        {
            await DeliverAsync();
            Assert.Equal(attempt, Outbox().Attempts);
            var wait = DateTimeOffset.Parse(Outbox().NextAttemptAt, System.Globalization.CultureInfo.InvariantCulture) - _net.Clock.GetUtcNow();
            Assert.True(wait <= TimeSpan.FromMinutes(10), $"attempt {attempt} waits {wait}");
            _net.Clock.Advance(TimeSpan.FromMinutes(10));
        }

        Assert.Equal(1, Outbox().Parked);
        Assert.Equal(0, _net.Finance.Worker.Pending());
        Assert.Equal(1, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM audit WHERE operation = 'delivery-parked'"));

        // A parked message stays put for an operator, even once the bank is back.
        _net.Network.Transport.SetOffline(TestNetwork.Bank102Party, false);
        Assert.Equal(0, await DeliverAsync());
        Assert.Equal(0, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM vouchers"));
    }

    [Fact]
    public async Task A_status_notice_lost_on_the_way_back_is_retried_and_applied_once()
    {
        var id = _net.SendPayment("ZF-0001");
        await _net.SettleAsync();
        var received = Assert.Single(_net.Bank102.Library.ReadReceived());
        _net.Network.Transport.SetOffline(Domain.Parties.PartyId.Finance, true);
        _net.Bank102.Library.Run(s => _net.Bank102.Library.SignFor(s, received.Id, TestNetwork.BankClerk)).ThrowIfRefused();

        Assert.Equal(0, await _net.Bank102.Worker.DeliverDueAsync(CancellationToken.None));
        Assert.Equal(VoucherStatus.Received, TestNetwork.DeliveryOf(_net.Finance, id).Status);

        _net.Network.Transport.SetOffline(Domain.Parties.PartyId.Finance, false);
        _net.Clock.Advance(TimeSpan.FromSeconds(1));
        await _net.SettleAsync();

        Assert.Equal(VoucherStatus.SignedFor, TestNetwork.DeliveryOf(_net.Finance, id).Status);
        Assert.Equal(1, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM applied_notices"));
    }

    private sealed record OutboxRow(long Attempts, string NextAttemptAt, string? LastError, string? DeliveredAt, long Parked);
}
