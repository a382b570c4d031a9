using Dapper;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Recovery;

namespace OpenTreasury.Node.Library;

/// <summary>
/// The received vouchers a recovering node answered after its backup, in the order it answered them, and the answer its
/// peer holds for each (its own signed 签收, 签收失败 or 退回 notice, given back): re-doing that work must give the same answers.
/// </summary>
public sealed class ReplayPlan
{
    internal ReplayPlan(long restoreId, IReadOnlyList<long> order, Dictionary<string, ExpectedAnswer> expected)
    {
        RestoreId = restoreId;
        Order = order;
        Expected = expected;
    }

    public long RestoreId { get; }

    /// <summary>The received vouchers to work again, by id, in the order their answers were first given.</summary>
    public IReadOnlyList<long> Order { get; }

    internal Dictionary<string, ExpectedAnswer> Expected { get; }

    internal HashSet<string> Made { get; } = new(StringComparer.Ordinal);

    internal bool Handed { get; set; }

    internal VoucherLibrary? Library { get; set; }
}

/// <summary>One answer a peer gave back: the notice as it was signed, its number and whom it went to.</summary>
internal sealed record ExpectedAnswer(string Peer, long Seq, StatusNotice Notice, byte[] Payload);

/// <summary>Re-doing a received voucher's work after a restore gave another answer than the one its peer holds: the recovery stops (ADR 0016).</summary>
public sealed class ReplayDivergedException(string message) : InvalidOperationException(message);

public sealed partial class VoucherLibrary
{
    private static readonly AsyncLocal<ReplayPlan?> s_replay = new();

    /// <summary>The plan this library is re-doing now, on this flow of work; null otherwise.</summary>
    private ReplayPlan? ActiveReplay => s_replay.Value is { } plan && ReferenceEquals(plan.Library, this) ? plan : null;

    /// <summary>
    /// Runs <paramref name="pass"/> (the desk's ordinary pass over what was received) as the re-doing of <paramref name="plan"/>:
    /// the library opens business sessions for it although the node recovers, hands the desk exactly the plan's vouchers in
    /// the plan's order, and takes each answer the work makes only if it is the one the peer holds (then it stores the
    /// peer's copy under its number, as delivered); any other answer or message throws <see cref="ReplayDivergedException"/>
    /// and rolls its transaction back. Returns the answers the work did not make again (none when the replay is whole).
    /// </summary>
    public IReadOnlyList<string> Replay(ReplayPlan plan, Action pass)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(pass);
        plan.Library = this;
        s_replay.Value = plan;
        try
        {
            pass();
        }
        finally
        {
            s_replay.Value = null;
        }

        return [.. plan.Expected.Keys.Where(k => !plan.Made.Contains(k)).Order(StringComparer.Ordinal)];
    }

    /// <summary>What <see cref="WorkReceived"/> works on during a replay: the plan's vouchers still waiting, once.</summary>
    private List<StoredVoucher> ReplayBatch(ReplayPlan plan)
    {
        if (plan.Handed)
        {
            return [];
        }

        plan.Handed = true;
        return [.. plan.Order.Select(Find).OfType<StoredVoucher>().Where(v => v is { Origin: "received", State: "received" })];
    }

    /// <summary>Takes one answer the re-done work made: the peer's copy of the same answer goes in the outbox, delivered, under its number.</summary>
    private static void TakeReplayedAnswer(LibrarySession session, ReplayPlan plan, StatusNotice notice, long voucherId)
    {
        if (!plan.Expected.TryGetValue(notice.MessageId, out var expected))
        {
            throw new ReplayDivergedException($"re-doing {notice.VtCode}/{notice.AdmDivCode}/{notice.StYear}/{notice.VoucherNo} gave status {notice.Status}, but {notice.To} holds another answer");
        }

        if (expected.Notice.Reason != notice.Reason)
        {
            throw new ReplayDivergedException($"re-doing {notice.VtCode}/{notice.VoucherNo} gave the reason '{notice.Reason}', but {notice.To} holds '{expected.Notice.Reason}'");
        }

        session.Connection.Execute(
            """
            INSERT INTO outbox (message_id, receiver, kind, voucher_id, payload, next_attempt_at, created_at, peer_seq, delivered_at)
            VALUES (@id, @peer, 'status', @voucherId, @payload, @now, @now, @seq, @now)
            """,
            new { id = notice.MessageId, peer = expected.Peer, voucherId, payload = expected.Payload, now = session.NowText, seq = expected.Seq },
            session.Transaction);
        session.Connection.Execute(
            "UPDATE recovery_returns SET applied_at = @now WHERE restore_id = @restore AND peer = @peer AND seq = @seq",
            new { now = session.NowText, restore = plan.RestoreId, peer = expected.Peer, seq = expected.Seq }, session.Transaction);
        session.Audit(notice.From, "recovery-replayed", notice.MessageId, $"re-done after the restore; the answer {expected.Peer} holds (number {expected.Seq}) kept");
        plan.Made.Add(notice.MessageId);
    }

    /// <summary>
    /// The plan for re-doing what this node answered after its backup, when every message it gave back is such an answer and
    /// every voucher answered is here again; null with what is missing otherwise.
    /// </summary>
    private ReplayPlan? PlanReplay(long restoreId, out string? waiting)
    {
        using var connection = database.Connect();
        var returns = connection.Query<(string Peer, long Seq, byte[] Payload)>(
            "SELECT peer, seq, payload FROM recovery_returns WHERE restore_id = @restoreId AND kind = 'status' AND applied_at IS NULL ORDER BY peer, seq",
            new { restoreId }).ToList();
        var answers = new List<(ExpectedAnswer Answer, DateTimeOffset SignedAt, long VoucherId)>();
        var missing = 0;
        foreach (var (peer, seq, payload) in returns)
        {
            var notice = StatusNotice.Open(payload, Party, signing, out var why)
                ?? throw new ReplayDivergedException($"the answer number {seq} {peer} gave back is not this node's: {why}");
            var voucherId = connection.ExecuteScalar<long?>(
                """
                SELECT id FROM vouchers WHERE origin = 'received' AND sender = @peer AND adm_div_code = @AdmDivCode AND st_year = @StYear
                  AND vt_code = @VtCode AND voucher_no = @VoucherNo AND version = @Version
                """,
                new { peer, notice.AdmDivCode, notice.StYear, notice.VtCode, notice.VoucherNo, notice.Version });
            if (voucherId is null)
            {
                missing++;
                continue;
            }

            answers.Add((new ExpectedAnswer(peer, seq, notice, payload), StatusNotice.SignedAt(payload) ?? DateTimeOffset.MinValue, voucherId.Value));
        }

        if (missing > 0)
        {
            waiting = $"等待对端重发本节点在备份之后答复过的 {missing} 张凭证";
            return null;
        }

        waiting = null;
        var ordered = answers.OrderBy(a => a.SignedAt).ThenBy(a => a.Answer.Peer, StringComparer.Ordinal).ThenBy(a => a.Answer.Seq).ToList();
        return new ReplayPlan(restoreId, [.. ordered.Select(a => a.VoucherId).Distinct()], ordered.ToDictionary(a => a.Answer.Notice.MessageId, a => a.Answer, StringComparer.Ordinal));
    }
}
