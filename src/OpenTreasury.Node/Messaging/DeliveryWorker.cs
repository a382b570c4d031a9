using System.Globalization;
using Dapper;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Node.Messaging;

/// <summary>
/// Carries a node's outbox to the other nodes: at-least-once, in order of writing, retrying with
/// exponential backoff (1 s doubling to 10 min) and parking a message for an operator after
/// <see cref="Limits.DeliveryAttemptsMax"/> attempts. The receiver's inbox makes repeats harmless.
/// </summary>
public sealed class DeliveryWorker(VoucherLibrary library, ITransport transport, TimeProvider clock)
{
    private static readonly TimeSpan BackoffMin = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan BackoffMax = TimeSpan.FromMinutes(10);

    /// <summary>Delivers the messages that are due now; returns how many were delivered.</summary>
    public Task<int> DeliverDueAsync(CancellationToken cancellationToken) => DeliverDueAsync(Limits.DeliveryBatchMax, null, cancellationToken);

    /// <summary>Delivers up to <paramref name="limit"/> of the messages due now, oldest first; returns how many were delivered.</summary>
    public Task<int> DeliverDueAsync(int limit, CancellationToken cancellationToken) => DeliverDueAsync(limit, null, cancellationToken);

    /// <summary>
    /// Delivers up to <paramref name="limit"/> of the messages due now, or only those of one voucher (a command
    /// that made it and reports its delivery leaves everyone else's messages to their own worker); returns how
    /// many were delivered.
    /// </summary>
    public async Task<int> DeliverDueAsync(int limit, long? voucherId, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        limit = Math.Min(limit, Limits.DeliveryBatchMax);
        var now = clock.GetUtcNow();
        List<OutboxRow> due;
        using (var connection = library.Database.Connect())
        {
            due = [.. connection.Query<OutboxRow>(
                """
                SELECT id AS Id, message_id AS MessageId, receiver AS Receiver, kind AS Kind, voucher_id AS VoucherId, payload AS Payload, attempts AS Attempts, peer_seq AS PeerSeq
                FROM outbox WHERE delivered_at IS NULL AND discarded_at IS NULL AND parked = 0 AND next_attempt_at <= @now AND (@voucherId IS NULL OR voucher_id = @voucherId)
                ORDER BY id LIMIT @limit
                """,
                new { now = Text(now), limit, voucherId })];
        }

        var delivered = 0;
        foreach (var row in due)
        {
            var receiver = PartyId.Parse(row.Receiver);
            var message = new TransportMessage(row.MessageId, library.Party, receiver, row.Kind == "voucher" ? MessageKind.Voucher : MessageKind.Status, row.Payload) { Sequence = row.PeerSeq ?? 0 };
            DeliveryAnswer answer;
            try
            {
                answer = await transport.DeliverAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Unreachable, busy or broken: try again later, and park it for an operator after the limit,
                // so one bad message never blocks the ones queued behind it.
                Reschedule(row, $"{ex.GetType().Name}: {ex.Message}");
                continue;
            }

            using var session = library.BeginAlways();
            session.Connection.Execute("UPDATE outbox SET delivered_at = @now, attempts = attempts + 1 WHERE id = @id", new { id = row.Id, now = session.NowText }, session.Transaction);
            if (message.Kind == MessageKind.Voucher && row.VoucherId is { } rowVoucherId)
            {
                VoucherLibrary.ApplyAnswer(session, rowVoucherId, receiver, answer);
            }

            session.Commit();
            delivered++;
        }

        return delivered;
    }

    /// <summary>Messages not yet delivered (due now or later), not counting parked ones.</summary>
    public long Pending()
    {
        using var connection = library.Database.Connect();
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND discarded_at IS NULL AND parked = 0");
    }

    /// <summary>
    /// The operator's release of parked messages, not the discarded ones (after the link or the receiver is mended): each goes back in the
    /// queue, due now, with its attempts counted afresh; audited. Returns how many were released.
    /// </summary>
    public int ReleaseParked(string actor)
    {
        using var session = library.BeginAlways();
        var ids = session.Connection.Query<string>("SELECT message_id FROM outbox WHERE parked = 1 AND delivered_at IS NULL AND discarded_at IS NULL ORDER BY id", transaction: session.Transaction).ToList();
        if (ids.Count == 0)
        {
            return 0;
        }

        session.Connection.Execute(
            "UPDATE outbox SET parked = 0, attempts = 0, next_attempt_at = @now WHERE parked = 1 AND delivered_at IS NULL AND discarded_at IS NULL",
            new { now = session.NowText },
            session.Transaction);
        foreach (var id in ids)
        {
            session.Audit(actor, "delivery-released", id, "parked message released for delivery");
        }

        session.Commit();
        return ids.Count;
    }

    private void Reschedule(OutboxRow row, string error)
    {
        var attempts = row.Attempts + 1;
        var delay = TimeSpan.FromTicks(Math.Min(BackoffMax.Ticks, BackoffMin.Ticks << (int)Math.Min(attempts - 1, 20)));
        using var session = library.BeginAlways();
        var parked = attempts >= Limits.DeliveryAttemptsMax ? 1 : 0;
        // Not a message an operator withdrew meanwhile (discarded, or taken to paper): it stays withdrawn.
        var updated = session.Connection.Execute(
            "UPDATE outbox SET attempts = @attempts, next_attempt_at = @next, last_error = @error, parked = @parked WHERE id = @id AND delivered_at IS NULL AND discarded_at IS NULL",
            new { id = row.Id, attempts, next = Text(session.Now + delay), error, parked },
            session.Transaction);
        if (parked == 1 && updated == 1)
        {
            session.Audit(library.Party.ToString(), "delivery-parked", row.MessageId, $"after {attempts} attempts: {error}");
        }

        session.Commit();
    }

    private static string Text(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private sealed record OutboxRow(long Id, string MessageId, string Receiver, string Kind, long? VoucherId, byte[] Payload, long Attempts, long? PeerSeq);
}
