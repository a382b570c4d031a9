using Dapper;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Recovery;

namespace OpenTreasury.Node.Library;

public sealed partial class VoucherLibrary
{
    private string? _recoveringSince;
    private bool _recoveryRead;

    /// <summary>
    /// The time of the backup this node was restored from while it has not recovered (ADR 0016), else null. Read once
    /// per library: a process that opened the node before recovery finished sees it recovering until it opens again.
    /// </summary>
    public string? RecoveringSince
    {
        get
        {
            if (!_recoveryRead)
            {
                using var connection = database.Connect();
                _recoveringSince = connection.QueryFirstOrDefault<string?>(
                    "SELECT backup_taken_at FROM node_restores WHERE recovered_at IS NULL ORDER BY id DESC LIMIT 1");
                _recoveryRead = true;
            }

            return _recoveringSince;
        }
    }

    /// <summary>Throws <see cref="NodeRecoveringException"/> while the node is recovering; every business session passes here.</summary>
    public void EnsureOpenForBusiness()
    {
        if (RecoveringSince is { } since)
        {
            throw new NodeRecoveringException(Party.ToString(), since);
        }
    }

    /// <summary>
    /// A session that runs while the node recovers too: taking a delivery, carrying the outbox, recording the restore
    /// and the recovery. Business goes through <see cref="Begin"/>, which refuses while the node recovers.
    /// </summary>
    internal LibrarySession BeginAlways() => new(database, clock.GetUtcNow(), session =>
        Audit.AuditCheckpoints.MaybeSign(session.Connection, session.Transaction, Party, bytes => signing.Sign(bytes, Audit.AuditCheckpoints.PropertyInfo, session.Now), session.Now));

    /// <summary>
    /// Records that this store was just restored from a backup (one <c>node_restores</c> row and a <c>restore</c> audit entry
    /// naming the backup and the last audit entry it holds): from now on the node is recovering.
    /// </summary>
    public void RecordRestore(string actor, DateTimeOffset backupTakenAt, long backupAuditSeq, string backupSm3)
    {
        using var session = BeginAlways();
        var taken = backupTakenAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        session.Connection.Execute(
            "INSERT INTO node_restores (restored_at, backup_taken_at, backup_audit_seq, backup_sm3) VALUES (@now, @taken, @backupAuditSeq, @backupSm3)",
            new { now = session.NowText, taken, backupAuditSeq, backupSm3 }, session.Transaction);
        session.Audit(actor, "restore", Party.ToString(),
            $"from the backup taken at {taken} (SM3 {backupSm3}), whose audit chain ends at entry {backupAuditSeq}; what this node did after it is here again only once its peers give it back");
        session.Commit();
        _recoveringSince = taken;
        _recoveryRead = true;
    }

    /// <summary>
    /// Answers a peer restored from a backup (ADR 0016), which asks for its own messages back: the highest number this node
    /// holds of its messages, and a page of them after <see cref="RecoveryRequest.ReturnAfter"/>, as they came (signed by it);
    /// with <see cref="RecoveryRequest.Resend"/>, this node's own messages to it after <see cref="RecoveryRequest.HeldFromYou"/>
    /// go back in the queue (the peer's inbox takes again only what it lacks). Audited; only the node itself can ask, since
    /// the request is sealed and signed by it like any message.
    /// </summary>
    private DeliveryAnswer ReceiveRecovery(TransportMessage message)
    {
        var request = RecoveryCodec.DecodeRequest(message.Payload);
        if (request is null)
        {
            return new DeliveryAnswer(VoucherStatus.ReceiveFailed, $"{ReceiveFailure.MalformedMessage}: not a recovery request");
        }

        var asker = message.From.ToString();
        using var session = BeginAlways();
        long resent = 0;
        if (request.Resend)
        {
            resent = session.Connection.Execute(
                """
                UPDATE outbox SET delivered_at = NULL, parked = 0, attempts = 0, next_attempt_at = @now, last_error = NULL
                WHERE receiver = @asker AND peer_seq > @after AND discarded_at IS NULL
                """,
                new { asker, after = request.HeldFromYou, now = session.NowText }, session.Transaction);
        }

        var highest = session.Connection.ExecuteScalar<long?>("SELECT MAX(seq) FROM received_messages WHERE sender = @asker", new { asker }, session.Transaction) ?? 0;
        var page = new List<ReturnedMessage>();
        var bytes = 0L;
        var more = false;
        foreach (var row in session.Connection.Query<KeptRow>(
            "SELECT seq AS Seq, message_id AS MessageId, kind AS Kind, payload AS Payload FROM received_messages WHERE sender = @asker AND seq > @after ORDER BY seq LIMIT @limit",
            new { asker, after = request.ReturnAfter, limit = Limits.ReadBatchMax + 1 }, session.Transaction))
        {
            if (page.Count > 0 && (page.Count == Limits.ReadBatchMax || bytes + row.Payload.Length > RecoveryCodec.AnswerPayloadBytesMax))
            {
                more = true;
                break;
            }

            page.Add(new ReturnedMessage(row.Seq, row.MessageId, row.Kind, row.Payload));
            bytes += row.Payload.Length;
        }

        session.Audit(asker, "recovery-asked", asker,
            $"restore {request.RestoreId}: holds its messages up to number {highest}; gave back {page.Count} after {request.ReturnAfter}{(more ? " (more follow)" : string.Empty)}"
            + (request.Resend ? $"; queued again {resent} of ours after number {request.HeldFromYou}" : string.Empty));
        session.Commit();
        return DeliveryAnswer.Accepted with { Data = RecoveryCodec.Encode(new RecoveryAnswer(highest, page, more, resent)) };
    }

    /// <summary>
    /// One step of this node's recovery from its backup (ADR 0016); call it again until it is no longer recovering. First
    /// every peer gives back this node's messages it holds after the backup's last number (kept in <c>recovery_returns</c>).
    /// When none is a voucher of this node's, every peer is asked to send again what it sent after the last number held
    /// here; then, when nothing came back, the node opens; when answers to received vouchers came back, the step returns
    /// the <see cref="RecoveryProgress.Replay"/> plan (once those vouchers are here again) for the desk to work them again
    /// (<see cref="Replay"/>, <see cref="FinishReplay"/>). When a voucher of this node's came back, it stays closed and says
    /// so: re-doing the node's own vouchers is not built yet, and paying again from the backup alone could pay twice. A peer
    /// that does not answer is asked again next step.
    /// </summary>
    public async Task<RecoveryProgress> RecoverAsync(ITransport transport, IReadOnlyCollection<PartyId> peers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(peers);
        RestoreRow? restore;
        using (var connection = database.Connect())
        {
            restore = connection.QueryFirstOrDefault<RestoreRow>(
                "SELECT id AS Id, backup_taken_at AS BackupTakenAt FROM node_restores WHERE recovered_at IS NULL ORDER BY id DESC LIMIT 1");
        }

        if (restore is null)
        {
            _recoveringSince = null;
            _recoveryRead = true;
            return RecoveryProgress.Open;
        }

        var unreachable = new List<string>();
        var moved = false; // whether this step changed anything (asked, took back, had a peer resend): the caller goes on
        foreach (var peer in peers)
        {
            try
            {
                moved |= await TakeBackAsync(transport, restore.Id, peer, cancellationToken).ConfigureAwait(false);
            }
            catch (TransportException e)
            {
                unreachable.Add($"{peer}（{e.Message}）");
            }
        }

        var state = RecoveryState(restore.Id);
        if (state.Answered < peers.Count)
        {
            return new RecoveryProgress(true, state.Answered, peers.Count, state.Returned, null, unreachable) { Moved = moved };
        }

        if (BlockedReason(restore.Id) is { } reason)
        {
            return new RecoveryProgress(true, state.Answered, peers.Count, state.Returned, reason, unreachable);
        }

        // Every peer sends again what it sent after the last number held here: the vouchers this node answered after its
        // backup come back (it takes new vouchers from now on; notices and 回单, which concern its own vouchers, only once open).
        foreach (var peer in peers)
        {
            try
            {
                moved |= await ResendAsync(transport, restore.Id, peer, cancellationToken).ConfigureAwait(false);
            }
            catch (TransportException e)
            {
                unreachable.Add($"{peer}（{e.Message}）");
            }
        }

        if (unreachable.Count > 0 || RecoveryState(restore.Id).Resent < peers.Count)
        {
            return new RecoveryProgress(true, state.Answered, peers.Count, state.Returned, null, unreachable) { Moved = moved };
        }

        if (state.Returned > 0)
        {
            ReplayPlan? plan;
            string? waiting;
            try
            {
                plan = PlanReplay(restore.Id, out waiting);
            }
            catch (ReplayDivergedException e)
            {
                return Block(restore.Id, state, peers.Count, unreachable, $"对端交回的消息不是本节点发出的，节点保持恢复状态：{e.Message}");
            }

            if (plan is not null && plan.Expected.Count > 0)
            {
                return new RecoveryProgress(true, state.Answered, peers.Count, state.Returned, null, unreachable) { Replay = plan };
            }

            if (plan is null)
            {
                return new RecoveryProgress(true, state.Answered, peers.Count, state.Returned, null, unreachable) { Moved = moved, Waiting = waiting };
            }
        }

        return Complete(restore.Id, $"restore {restore.Id}: every peer sends again what it sent after the last number held here; "
            + (state.Returned > 0 ? $"the {state.Returned} answers given after the backup of {restore.BackupTakenAt} were re-done as the peers hold them" : $"no peer holds a message of this node after the backup of {restore.BackupTakenAt}")
            + "; open for business");
    }

    /// <summary>
    /// Ends a replay (<see cref="Replay"/>): when the work made again every answer its peers hold, the node opens; when it
    /// did not (<paramref name="notMade"/>), it stays closed and says so.
    /// </summary>
    public async Task<RecoveryProgress> FinishReplayAsync(ReplayPlan plan, IReadOnlyList<string> notMade, ITransport transport, IReadOnlyCollection<PartyId> peers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(notMade);
        ArgumentNullException.ThrowIfNull(peers);
        var state = RecoveryState(plan.RestoreId);
        if (notMade.Count > 0 && plan.Expected.Keys.Any(plan.Made.Contains))
        {
            // This pass made some of them again: what the rest waits for (a notice on a voucher just made again, still on its
            // way) may come with the next deliveries, and the next pass re-does the rest. A pass that makes nothing stops it.
            return new RecoveryProgress(true, state.Answered, peers.Count, state.Returned, null, []) { Moved = true, Waiting = $"已按对端交回的消息重做 {plan.Expected.Keys.Count(plan.Made.Contains)} 条，其余 {notMade.Count} 条待下一轮" };
        }

        if (notMade.Count > 0)
        {
            return Block(plan.RestoreId, state, state.Answered, [],
                $"按对端交回的消息重做备份之后的业务时结果不同，节点保持恢复状态、不办理业务：{notMade.Count} 条消息没有重做出来（{notMade[0]}{(plan.LastDivergence is { } last ? $"；{last}" : string.Empty)}）");
        }

        var open = Complete(plan.RestoreId, $"restore {plan.RestoreId}: the {plan.Expected.Count} messages sent after the backup were made again as the peers hold them; open for business");

        // The notices and 回单 refused while this node made its own vouchers again come now, not after their senders' backoff.
        foreach (var peer in peers)
        {
            try
            {
                await AskAsync(transport, peer, new RecoveryRequest(plan.RestoreId, long.MaxValue, HeldFrom(peer.ToString()), Resend: true), cancellationToken).ConfigureAwait(false);
            }
            catch (TransportException)
            {
                // That peer's own retries deliver them in time.
            }
        }

        return open;
    }

    private RecoveryProgress Complete(long restoreId, string detail)
    {
        using (var session = BeginAlways())
        {
            session.Connection.Execute("UPDATE node_restores SET recovered_at = @now WHERE id = @id", new { id = restoreId, now = session.NowText }, session.Transaction);
            session.Audit(Party.ToString(), "recovered", Party.ToString(), detail);
            session.Commit();
        }

        _recoveringSince = null;
        _recoveryRead = true;
        return RecoveryProgress.Open;
    }

    private RecoveryProgress Block(long restoreId, (long Answered, long Returned, long Resent) state, long peers, IReadOnlyList<string> unreachable, string reason)
    {
        AuditOnce(restoreId, "recovery-blocked", reason);
        return new RecoveryProgress(true, state.Answered, peers, state.Returned, BlockedReason(restoreId) ?? reason, unreachable);
    }

    /// <summary>Why the recovery of <paramref name="restoreId"/> stopped, once it did (the <c>recovery-blocked</c> audit entry); null while it goes on.</summary>
    private string? BlockedReason(long restoreId)
    {
        using var connection = database.Connect();
        return connection.QueryFirstOrDefault<string?>(
            "SELECT detail FROM audit WHERE operation = 'recovery-blocked' AND subject = @subject ORDER BY seq LIMIT 1",
            new { subject = $"restore {restoreId.ToString(System.Globalization.CultureInfo.InvariantCulture)}" });
    }

    /// <summary>
    /// Whether a recovering node takes vouchers: once its peers were asked to send again (the vouchers it answered after its
    /// backup come back; a 回单 of an own voucher not made again yet is kept, and its status moves when the voucher is made
    /// again) and unless its recovery stopped. Status notices wait until it is open (a resend then brings them at once).
    /// </summary>
    private bool TakesDeliveriesWhileRecovering()
    {
        using var connection = database.Connect();
        return connection.ExecuteScalar<long>(
            """
            SELECT COUNT(*) FROM recovery_peers p JOIN node_restores r ON r.id = p.restore_id
            WHERE r.recovered_at IS NULL AND p.resent_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM audit a WHERE a.operation = 'recovery-blocked' AND a.subject = 'restore ' || r.id)
            """) > 0;
    }

    /// <summary>Pages one peer's returns of this node's own messages into <c>recovery_returns</c>, then records its answer.</summary>
    private async Task<bool> TakeBackAsync(ITransport transport, long restoreId, PartyId peer, CancellationToken cancellationToken)
    {
        var name = peer.ToString();
        for (var page = 0; page < 100_000; page++)
        {
            long after;
            using (var connection = database.Connect())
            {
                if (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM recovery_peers WHERE restore_id = @restoreId AND peer = @name", new { restoreId, name }) > 0)
                {
                    return page > 0;
                }

                after = Math.Max(
                    connection.ExecuteScalar<long?>("SELECT last_seq FROM peer_sequences WHERE receiver = @name", new { name }) ?? 0,
                    connection.ExecuteScalar<long?>("SELECT MAX(seq) FROM recovery_returns WHERE restore_id = @restoreId AND peer = @name", new { restoreId, name }) ?? 0);
            }

            var answer = await AskAsync(transport, peer, new RecoveryRequest(restoreId, after, HeldFrom(name), Resend: false), cancellationToken).ConfigureAwait(false);
            using var session = BeginAlways();
            foreach (var message in answer.Messages.Where(m => m.Seq > after))
            {
                session.Connection.Execute(
                    "INSERT INTO recovery_returns (restore_id, peer, seq, message_id, kind, payload) VALUES (@restoreId, @name, @Seq, @MessageId, @Kind, @Payload) ON CONFLICT DO NOTHING",
                    new { restoreId, name, message.Seq, message.MessageId, message.Kind, message.Payload }, session.Transaction);
            }

            if (!answer.More)
            {
                var returned = session.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM recovery_returns WHERE restore_id = @restoreId AND peer = @name", new { restoreId, name }, session.Transaction);
                session.Connection.Execute(
                    "INSERT INTO recovery_peers (restore_id, peer, held_by_peer, returned, answered_at) VALUES (@restoreId, @name, @held, @returned, @now)",
                    new { restoreId, name, held = answer.HighestFromYou, returned, now = session.NowText }, session.Transaction);
                session.Audit(Party.ToString(), "recovery-answer", name, $"restore {restoreId}: {name} holds this node's messages up to number {answer.HighestFromYou} and gave back {returned} after the backup");
            }

            session.Commit();
            if (!answer.More)
            {
                return true;
            }
        }

        return true; // a peer with more pages than that is asked for the rest next step
    }

    /// <summary>Asks one peer to send again what it sent after the last number held here; this node's sequence to it moves past every number the peer holds.</summary>
    private async Task<bool> ResendAsync(ITransport transport, long restoreId, PartyId peer, CancellationToken cancellationToken)
    {
        var name = peer.ToString();
        long held;
        using (var connection = database.Connect())
        {
            var row = connection.QueryFirst<(long HeldByPeer, string? ResentAt)>(
                "SELECT held_by_peer, resent_at FROM recovery_peers WHERE restore_id = @restoreId AND peer = @name", new { restoreId, name });
            if (row.ResentAt is not null)
            {
                return false;
            }

            held = row.HeldByPeer;
        }

        var heldHere = HeldFrom(name);
        var answer = await AskAsync(transport, peer, new RecoveryRequest(restoreId, held, heldHere, Resend: true), cancellationToken).ConfigureAwait(false);
        using var session = BeginAlways();
        session.Connection.Execute(
            """
            INSERT INTO peer_sequences (receiver, last_seq) SELECT @name, @held WHERE @held > 0
            ON CONFLICT (receiver) DO UPDATE SET last_seq = CASE WHEN peer_sequences.last_seq > excluded.last_seq THEN peer_sequences.last_seq ELSE excluded.last_seq END
            """,
            new { name, held }, session.Transaction);
        session.Connection.Execute("UPDATE recovery_peers SET resent_at = @now WHERE restore_id = @restoreId AND peer = @name", new { restoreId, name, now = session.NowText }, session.Transaction);
        session.Audit(Party.ToString(), "recovery-resend", name, $"restore {restoreId}: {name} queued again {answer.Resent} of its messages after number {heldHere}");
        session.Commit();
        return true;
    }

    private async Task<RecoveryAnswer> AskAsync(ITransport transport, PartyId peer, RecoveryRequest request, CancellationToken cancellationToken)
    {
        var id = $"{Party}>{peer}:recovery:{request.RestoreId}:{request.ReturnAfter}{(request.Resend ? ":resend" : string.Empty)}";
        var answer = await transport.DeliverAsync(new TransportMessage(id, Party, peer, MessageKind.Recovery, RecoveryCodec.Encode(request)), cancellationToken).ConfigureAwait(false);
        return answer.Status == VoucherStatus.Received && RecoveryCodec.DecodeAnswer(answer.Data) is { } decoded
            ? decoded
            : throw new TransportException($"{peer} did not answer the recovery request: {answer.Reason ?? "no answer data"}");
    }

    /// <summary>The last number up to which every message of <paramref name="peer"/> is held here (the next one missing is asked for again).</summary>
    private long HeldFrom(string peer)
    {
        using var connection = database.Connect();
        return connection.ExecuteScalar<long?>(
            """
            SELECT MIN(r.seq) FROM received_messages r
            WHERE r.sender = @peer AND EXISTS (SELECT 1 FROM received_messages f WHERE f.sender = @peer AND f.seq = 1)
              AND NOT EXISTS (SELECT 1 FROM received_messages n WHERE n.sender = r.sender AND n.seq = r.seq + 1)
            """,
            new { peer }) ?? 0;
    }

    private (long Answered, long Returned, long Resent) RecoveryState(long restoreId)
    {
        using var connection = database.Connect();
        return connection.QueryFirst<(long, long, long)>(
            "SELECT COUNT(*), COALESCE(SUM(returned), 0), COUNT(resent_at) FROM recovery_peers WHERE restore_id = @restoreId", new { restoreId });
    }

    private void AuditOnce(long restoreId, string operation, string detail)
    {
        using var session = BeginAlways();
        var subject = $"restore {restoreId.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        if (session.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM audit WHERE operation = @operation AND subject = @subject", new { operation, subject }, session.Transaction) == 0)
        {
            session.Audit(Party.ToString(), operation, subject, detail);
            session.Commit();
        }
    }

    private sealed record RestoreRow(long Id, string BackupTakenAt);

    private sealed record KeptRow(long Seq, string MessageId, string Kind, byte[] Payload);
}

/// <summary>
/// Where a node's recovery from its backup stands: still recovering or open; how many peers answered of how many; how many
/// of its own messages came back; why it cannot open (Chinese, one line) when it cannot; which peers did not answer this step.
/// </summary>
public sealed record RecoveryProgress(bool Recovering, long PeersAnswered, long Peers, long Returned, string? Blocked, IReadOnlyList<string> Unreachable)
{
    public static RecoveryProgress Open { get; } = new(false, 0, 0, 0, null, []);

    /// <summary>Whether this step changed anything (a peer asked, messages taken back, a resend asked for): the network is not at rest yet.</summary>
    public bool Moved { get; init; }

    /// <summary>What to re-do now, when the node answered received vouchers after its backup and they are all here again.</summary>
    public ReplayPlan? Replay { get; init; }

    /// <summary>What the recovery waits for (Chinese, one line), when it waits for the peers' resent vouchers.</summary>
    public string? Waiting { get; init; }
}
