using Dapper;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Node.Messaging;

/// <summary>
/// One outbox message an operator looks at (差错处理): parked after <see cref="Limits.DeliveryAttemptsMax"/> failed
/// attempts, discarded by an operator, or delivered and rejected by the receiver (接收失败), with why.
/// </summary>
public sealed record OutboxEntry
{
    public long Id { get; init; }

    public required string MessageId { get; init; }

    public required string Receiver { get; init; }

    /// <summary>voucher or status.</summary>
    public required string Kind { get; init; }

    public long? VoucherId { get; init; }

    public string? VtCode { get; init; }

    public string? VoucherNo { get; init; }

    public long Attempts { get; init; }

    /// <summary>parked, discarded or rejected in a list; delivered or queued too for one message.</summary>
    public required string State { get; init; }

    /// <summary>The last delivery error, the operator's discard reason or the receiver's rejection.</summary>
    public string? Reason { get; init; }

    public required string CreatedAt { get; init; }
}

/// <summary>
/// The operator's tools on a node's outbox: list what did not get through, put one parked message back for
/// delivery now, or discard one with a reason. Nothing is ever deleted: a discarded message stays in the outbox,
/// marked, and is never delivered again. Retry and discard are audited in the transaction that makes them.
/// </summary>
public static class OutboxOperator
{
    public const string Parked = "parked";

    public const string Discarded = "discarded";

    public const string Rejected = "rejected";

    /// <summary>Parked, discarded and rejected messages, oldest first, at most <see cref="Limits.DeliveryBatchMax"/> × 10.</summary>
    public static IReadOnlyList<OutboxEntry> List(VoucherLibrary library)
    {
        ArgumentNullException.ThrowIfNull(library);
        using var connection = library.Database.Connect();
        return [.. connection.Query<OutboxEntry>(
            """
            SELECT o.id AS Id, o.message_id AS MessageId, o.receiver AS Receiver, o.kind AS Kind, o.voucher_id AS VoucherId,
                   v.vt_code AS VtCode, v.voucher_no AS VoucherNo, o.attempts AS Attempts,
                   CASE WHEN o.discarded_at IS NOT NULL THEN 'discarded' WHEN o.delivered_at IS NULL THEN 'parked' ELSE 'rejected' END AS State,
                   CASE WHEN o.discarded_at IS NOT NULL THEN o.discarded_reason WHEN o.delivered_at IS NULL THEN o.last_error ELSE d.reason END AS Reason,
                   o.created_at AS CreatedAt
            FROM outbox o
            LEFT JOIN vouchers v ON v.id = o.voucher_id
            LEFT JOIN deliveries d ON d.voucher_id = o.voucher_id AND d.receiver = o.receiver
            WHERE (o.delivered_at IS NULL AND o.parked = 1)
               OR (o.kind = 'voucher' AND o.delivered_at IS NOT NULL AND d.status IN (@receiveFailed, @replyReceiveFailed))
            ORDER BY o.id LIMIT @limit
            """,
            new { receiveFailed = (int)VoucherStatus.ReceiveFailed, replyReceiveFailed = (int)VoucherStatus.ReplyReceiveFailed, limit = Limits.DeliveryBatchMax * 10 })];
    }

    /// <summary>Puts one parked message back in the queue, due now, its attempts counted afresh (重发).</summary>
    public static LibraryResult Retry(LibrarySession session, long id, string actor)
    {
        ArgumentNullException.ThrowIfNull(session);
        var row = Find(session, id);
        if (row is null)
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no outbox message {id}");
        }

        if (row.State != Parked)
        {
            return LibraryResult.Refused(LibraryRejection.IllegalTransition, $"message {row.MessageId} is {row.State}; only a parked message is retried", row.VoucherId ?? 0);
        }

        session.Connection.Execute(
            "UPDATE outbox SET parked = 0, attempts = 0, next_attempt_at = @now WHERE id = @id",
            new { id, now = session.NowText }, session.Transaction);
        session.Audit(actor, "delivery-retried", row.MessageId, $"to {row.Receiver}, after {row.Attempts} attempts: {row.Reason}");
        return LibraryResult.Done(row.VoucherId ?? 0);
    }

    /// <summary>Marks one undelivered message discarded (作废报文) with a reason; it stays, and is never delivered again.</summary>
    public static LibraryResult Discard(LibrarySession session, long id, string actor, string reason)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > Limits.ReasonLengthMax)
        {
            return LibraryResult.Refused(LibraryRejection.ReasonRequired, $"a discard needs a reason of 1–{Limits.ReasonLengthMax} characters");
        }

        var row = Find(session, id);
        if (row is null)
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no outbox message {id}");
        }

        if (row.State != Parked)
        {
            return LibraryResult.Refused(LibraryRejection.IllegalTransition, $"message {row.MessageId} is {row.State}; only a parked message is discarded", row.VoucherId ?? 0);
        }

        session.Connection.Execute(
            "UPDATE outbox SET discarded_at = @now, discarded_reason = @reason WHERE id = @id AND delivered_at IS NULL",
            new { id, reason, now = session.NowText }, session.Transaction);
        session.Audit(actor, "delivery-discarded", row.MessageId, $"to {row.Receiver}: {reason}");
        return LibraryResult.Done(row.VoucherId ?? 0);
    }

    /// <summary>Where one message stands: parked, discarded, delivered, or queued (not yet parked).</summary>
    public static OutboxEntry? Find(VoucherLibrary library, long id)
    {
        ArgumentNullException.ThrowIfNull(library);
        using var connection = library.Database.Connect();
        return FindIn(connection, null, id);
    }

    private static OutboxEntry? Find(LibrarySession session, long id) => FindIn(session.Connection, session.Transaction, id);

    private static OutboxEntry? FindIn(System.Data.IDbConnection connection, System.Data.IDbTransaction? transaction, long id) =>
        connection.QuerySingleOrDefault<OutboxEntry>(
            """
            SELECT o.id AS Id, o.message_id AS MessageId, o.receiver AS Receiver, o.kind AS Kind, o.voucher_id AS VoucherId,
                   v.vt_code AS VtCode, v.voucher_no AS VoucherNo, o.attempts AS Attempts,
                   CASE WHEN o.discarded_at IS NOT NULL THEN 'discarded' WHEN o.delivered_at IS NOT NULL THEN 'delivered'
                        WHEN o.parked = 1 THEN 'parked' ELSE 'queued' END AS State,
                   CASE WHEN o.discarded_at IS NOT NULL THEN o.discarded_reason ELSE o.last_error END AS Reason,
                   o.created_at AS CreatedAt
            FROM outbox o LEFT JOIN vouchers v ON v.id = o.voucher_id
            WHERE o.id = @id
            """,
            new { id }, transaction);
}
