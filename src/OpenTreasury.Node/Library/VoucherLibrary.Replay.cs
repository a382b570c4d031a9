using Dapper;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.People;
using OpenTreasury.Node.Signing;
using OpenTreasury.Trust.Seals;
using OpenTreasury.Wire;

namespace OpenTreasury.Node.Library;

/// <summary>
/// One thing a recovering node did after its backup, as its peers' copies show it: work received vouchers again (they
/// were answered then: <see cref="Work"/>), or make again an own voucher of its own (<see cref="Made"/>: the voucher as the
/// peer holds it, with its <see cref="Attach"/>, and the people whose personal seals are on it as its maker and checker),
/// at <see cref="At"/> (when it was signed).
/// </summary>
public sealed record ReplayStep(DateTimeOffset At, IReadOnlyList<long> Work, Voucher? Made, IReadOnlyList<string> MessageIds)
{
    public string Attach { get; init; } = string.Empty;

    /// <summary>The peer that holds <see cref="Made"/> (its receiver).</summary>
    public string Peer { get; init; } = string.Empty;

    /// <summary>Who entered <see cref="Made"/> (录入): the holder of the personal seal at its maker's position; null when none.</summary>
    public string? Maker { get; init; }

    /// <summary>Who approved <see cref="Made"/> (审核): the holder of the personal seal at its checker's position; null when none.</summary>
    public string? Checker { get; init; }
}

/// <summary>
/// What a recovering node did after its backup, in the order it did it, and every message its peers hold from then: re-doing
/// that work must make exactly those messages again (ADR 0016, point 4).
/// </summary>
public sealed class ReplayPlan
{
    internal ReplayPlan(long restoreId, IReadOnlyList<ReplayStep> steps, Dictionary<string, ExpectedMessage> expected)
    {
        RestoreId = restoreId;
        Steps = steps;
        Expected = expected;
    }

    public long RestoreId { get; }

    public IReadOnlyList<ReplayStep> Steps { get; }

    internal Dictionary<string, ExpectedMessage> Expected { get; }

    internal HashSet<string> Made { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The stamps on the peers' copies of the vouchers and 回单 being made again, by voucher (<see cref="HeldKey"/>): the
    /// re-made voucher carries these very stamps, each checked against it, instead of new ones (no person is asked).
    /// </summary>
    internal Dictionary<string, IReadOnlyList<WireStamp>> HeldStamps { get; } = new(StringComparer.Ordinal);

    internal static string HeldKey(VoucherKey key, long version, bool reply) => $"{key}/{version}/{(reply ? "reply" : "voucher")}";

    /// <summary>Why the last step that came out otherwise than its peer holds did (it is tried again after the others).</summary>
    public string? LastDivergence { get; internal set; }

    /// <summary>The received vouchers the desk is handed in the step being re-done (once).</summary>
    internal IReadOnlyList<long>? CurrentWork { get; set; }

    internal VoucherLibrary? Library { get; set; }
}

/// <summary>One message a peer gave back: whom it went to, its number, and what it said (a notice, or a voucher by its SM3).</summary>
internal sealed record ExpectedMessage(string Peer, long Seq, StatusNotice? Notice, string? InnerDigest, byte[] Payload);

/// <summary>Re-doing the work after a restore made another message than the one its peer holds: the recovery stops (ADR 0016).</summary>
public sealed class ReplayDivergedException(string message) : InvalidOperationException(message);

public sealed partial class VoucherLibrary
{
    private static readonly AsyncLocal<ReplayPlan?> s_replay = new();

    /// <summary>The plan this library is re-doing now, on this flow of work; null otherwise.</summary>
    private ReplayPlan? ActiveReplay => s_replay.Value is { } plan && ReferenceEquals(plan.Library, this) ? plan : null;

    /// <summary>
    /// Re-does <paramref name="plan"/>, step by step: <paramref name="redo"/> runs the desk's ordinary pass (for a step that
    /// works received vouchers: the library hands it exactly those) or the use case that made the step's own voucher (none
    /// for a voucher no use case makes on its own: then the step is not made again and the node stays closed). Meanwhile
    /// the library opens business sessions for this work although the node recovers, and takes every message the work makes only if it is one its peer holds (a notice with the same status and reason, a voucher with
    /// the same bytes): then it keeps the peer's copy under its number, as delivered. Any other message throws
    /// <see cref="ReplayDivergedException"/> and rolls its transaction back; that step is tried again after the others, in
    /// rounds until one makes nothing more. Returns the messages the work did not make again.
    /// </summary>
    public IReadOnlyList<string> Replay(ReplayPlan plan, Action<ReplayStep> redo)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(redo);
        plan.Library = this;
        s_replay.Value = plan;
        try
        {
            // In rounds: the signing times order what the node did only roughly (one clock, several transactions a
            // millisecond, peers apart), so a step that makes nothing yet, or other than its peer holds (its transaction is
            // rolled back), is tried again after the others — a report waits for the clearing it reports. The rounds end when
            // one makes nothing more.
            var pending = plan.Steps.ToList();
            while (pending.Count > 0)
            {
                var madeBefore = plan.Made.Count;
                var next = new List<ReplayStep>();
                foreach (var step in pending.Where(s => !s.MessageIds.All(plan.Made.Contains)))
                {
                    plan.CurrentWork = step.Work;
                    try
                    {
                        redo(step);
                    }
#pragma warning disable CA1031 // A step refused or failing now (a refund before its clearing) rolled back; it is tried again, and named if it never passes.
                    catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
                    {
                        plan.LastDivergence = e.Message;
                    }

                    RefreshMade(plan);
                    if (!step.MessageIds.All(plan.Made.Contains))
                    {
                        next.Add(step);
                    }
                }

                if (plan.Made.Count == madeBefore)
                {
                    break;
                }

                pending = next;
            }
        }
        finally
        {
            s_replay.Value = null;
        }

        return [.. plan.Expected.Keys.Where(k => !plan.Made.Contains(k)).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Makes <paramref name="step"/>'s own voucher again exactly as its peer holds it, entered by <paramref name="maker"/> and
    /// approved by <paramref name="checker"/> with the stamps on the peer's copy, for a voucher whose content was this node's
    /// reading of its books at the time it was made (a statement, 对账单): the books have moved on since, so running its use
    /// case again would state the present, not what was sent. Only while re-doing a plan (<see cref="Replay"/>), and only for
    /// a voucher that moves no money: the caller says which.
    /// </summary>
    public LibraryResult RemakeAsHeld(ReplayStep step, Signer maker, Signer checker)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (ActiveReplay is null || step.Made is null)
        {
            throw new InvalidOperationException("a voucher is made again as its peer holds it only while a restored node re-does its plan");
        }

        using var session = Begin();
        var result = Issue(session, step.Made, [PartyId.Parse(step.Peer)], maker, checker, step.Attach);
        Finish(session, result);
        return result;
    }

    /// <summary>The messages made again so far, as committed (a step rolled back made none).</summary>
    private void RefreshMade(ReplayPlan plan)
    {
        using var connection = database.Connect();
        plan.Made.Clear();
        plan.Made.UnionWith(connection.Query<string>(
            "SELECT message_id FROM recovery_returns WHERE restore_id = @restore AND applied_at IS NOT NULL", new { restore = plan.RestoreId }));
    }

    /// <summary>What <see cref="WorkReceived"/> works on during a replay: the current step's vouchers still waiting, once.</summary>
    private List<StoredVoucher> ReplayBatch(ReplayPlan plan)
    {
        var work = plan.CurrentWork ?? [];
        plan.CurrentWork = null;
        return [.. work.Select(Find).OfType<StoredVoucher>().Where(v => v is { Origin: "received", State: "received" })];
    }

    /// <summary>Takes one answer the re-done work made: the peer's copy of the same answer goes in the outbox, delivered, under its number.</summary>
    private static void TakeReplayedAnswer(LibrarySession session, ReplayPlan plan, StatusNotice notice, long voucherId)
    {
        if (!plan.Expected.TryGetValue(notice.MessageId, out var expected) || expected.Notice is null)
        {
            throw new ReplayDivergedException($"re-doing {notice.VtCode}/{notice.AdmDivCode}/{notice.StYear}/{notice.VoucherNo} gave status {notice.Status}, but {notice.To} holds another answer");
        }

        if (expected.Notice.Reason != notice.Reason)
        {
            throw new ReplayDivergedException($"re-doing {notice.VtCode}/{notice.VoucherNo} gave the reason '{notice.Reason}', but {notice.To} holds '{expected.Notice.Reason}'");
        }

        Keep(session, plan, notice.MessageId, "status", expected, voucherId);
    }

    /// <summary>
    /// Takes one voucher message the re-done work made: when the peer holds the same voucher (the same bytes), its copy goes in
    /// the outbox, delivered, under its number, and the receiver's status moves to received (1), as it did then.
    /// </summary>
    private static void TakeReplayedVoucher(LibrarySession session, ReplayPlan plan, PartyId receiver, string messageId, long voucherId)
    {
        if (!plan.Expected.TryGetValue(messageId, out var expected) || expected.InnerDigest is null)
        {
            throw new ReplayDivergedException($"re-doing the work after the restore would send {messageId}, which {receiver} does not hold");
        }

        var voucher = Find(session, voucherId)!; // its digest is the SM3 of the inner voucher the message carries
        if (expected.InnerDigest != voucher.Digest)
        {
            throw new ReplayDivergedException($"re-doing the work after the restore made {messageId} with other content (SM3 {voucher.Digest}) than {receiver} holds (SM3 {expected.InnerDigest})");
        }

        Keep(session, plan, messageId, "voucher", expected, voucherId);
        ApplyAnswer(session, voucherId, receiver, DeliveryAnswer.Accepted);

        // The receiver's notices on it that came while it was not made again yet (status-held) move its status now, in order.
        var held = session.Connection.Query<(string MessageId, byte[] Payload)>(
            """
            SELECT r.message_id, r.payload FROM received_messages r
            WHERE r.sender = @receiver AND r.kind = 'status'
              AND NOT EXISTS (SELECT 1 FROM applied_notices a WHERE a.message_id = r.message_id)
              AND substr(r.message_id, 1, length(@prefix)) = @prefix
            ORDER BY r.seq
            """,
            new { receiver = receiver.ToString(), prefix = $"{receiver}>{plan.Library!.Party}:status:{voucher.VtCode}/{voucher.AdmDivCode}/{voucher.StYear}/{voucher.VoucherNo}/v{voucher.Version}:" },
            session.Transaction).ToList();
        foreach (var (heldId, payload) in held)
        {
            if (StatusNotice.Open(payload, receiver, plan.Library.Signing, out _) is { } notice)
            {
                ApplyMove(session, voucher, receiver, VoucherLifecycle.ActionFor((ReceiverState)notice.Status), notice.Reason);
                session.Connection.Execute("INSERT INTO applied_notices (message_id, applied_at) VALUES (@id, @now)", new { id = heldId, now = session.NowText }, session.Transaction);
            }
        }

        // Its 回单 may have come already (the peer resent it before this voucher was made again): the status moves on as it did then.
        var replied = session.Connection.ExecuteScalar<long>(
            """
            SELECT COUNT(*) FROM vouchers WHERE origin = 'received' AND flag = 1 AND sender = @receiver AND adm_div_code = @adm
              AND st_year = @year AND vt_code = @vt AND voucher_no = @no
            """,
            new { receiver = receiver.ToString(), adm = voucher.AdmDivCode, year = voucher.StYear, vt = voucher.VtCode, no = voucher.VoucherNo }, session.Transaction);
        if (replied > 0)
        {
            ApplyMove(session, voucher, receiver, VoucherAction.ArriveReply, null);
        }
    }

    private static void Keep(LibrarySession session, ReplayPlan plan, string messageId, string kind, ExpectedMessage expected, long voucherId)
    {
        session.Connection.Execute(
            """
            INSERT INTO outbox (message_id, receiver, kind, voucher_id, payload, next_attempt_at, created_at, peer_seq, delivered_at)
            VALUES (@messageId, @peer, @kind, @voucherId, @payload, @now, @now, @seq, @now)
            """,
            new { messageId, peer = expected.Peer, kind, voucherId, payload = expected.Payload, now = session.NowText, seq = expected.Seq },
            session.Transaction);
        session.Connection.Execute(
            "UPDATE recovery_returns SET applied_at = @now WHERE restore_id = @restore AND peer = @peer AND seq = @seq",
            new { now = session.NowText, restore = plan.RestoreId, peer = expected.Peer, seq = expected.Seq }, session.Transaction);
        session.Audit(plan.Library!.Party.ToString(), "recovery-replayed", messageId, $"re-done after the restore; the copy {expected.Peer} holds (number {expected.Seq}) kept");
    }

    /// <summary>
    /// The plan for re-doing what this node did after its backup, from what its peers gave back, once every received voucher
    /// it answered then is here again; null with what is missing otherwise. Throws <see cref="ReplayDivergedException"/>
    /// for a message given back that is not this node's.
    /// </summary>
    private ReplayPlan? PlanReplay(long restoreId, out string? waiting)
    {
        using var connection = database.Connect();
        var returns = connection.Query<(string Peer, long Seq, string Kind, string MessageId, byte[] Payload)>(
            "SELECT peer, seq, kind, message_id, payload FROM recovery_returns WHERE restore_id = @restoreId AND applied_at IS NULL ORDER BY peer, seq",
            new { restoreId }).ToList();
        var steps = new List<(ReplayStep Step, string Peer, long Seq)>();
        var held = new Dictionary<string, IReadOnlyList<WireStamp>>(StringComparer.Ordinal);
        var expected = new Dictionary<string, ExpectedMessage>(StringComparer.Ordinal);
        var missing = 0;
        foreach (var (peer, seq, kind, messageId, payload) in returns)
        {
            if (kind == "status")
            {
                var notice = StatusNotice.Open(payload, Party, signing, out var why)
                    ?? throw new ReplayDivergedException($"the answer number {seq} {peer} gave back is not this node's: {why}");
                var received = ReceivedId(connection, peer, notice.AdmDivCode, notice.StYear, notice.VtCode, notice.VoucherNo, notice.Version);
                if (received is null)
                {
                    missing++;
                    continue;
                }

                expected[notice.MessageId] = new ExpectedMessage(peer, seq, notice, null, payload);
                steps.Add((new ReplayStep(StatusNotice.SignedAt(payload) ?? DateTimeOffset.MinValue, [received.Value], null, [notice.MessageId]), peer, seq));
                continue;
            }

            var read = MofFormat.Read(payload);
            if (!read.IsSuccess || read.Value.Bodies.Count != 1 || MofFormat.OpenBody(read.Value.Bodies[0]) is not { IsSuccess: true } opened)
            {
                throw new ReplayDivergedException($"the voucher number {seq} {peer} gave back does not read");
            }

            var body = read.Value.Bodies[0];
            expected[messageId] = new ExpectedMessage(peer, seq, null, Digest(body.InnerVoucher), payload);
            var at = body.Stamps.Count > 0 && SealSignature.TryParse(body.Stamps[0].Der, out var stamp, out _) ? stamp.TimeInfo : DateTimeOffset.MinValue;
            held[ReplayPlan.HeldKey(body.Key, body.Version, body.Flag == VoucherFlag.Reply)] = body.Stamps;
            if (body.Flag == VoucherFlag.Reply)
            {
                // A 回单 answers a received voucher: its work is that voucher's. It came from that peer, or the peer is sent a copy
                // of the 回单 (PBOC's of a bank's 2301 goes to Finance too).
                var key = body.Key;
                var received = ReceivedId(connection, peer, key.AdmDivCode.Value, key.StYear.Value, key.VtCode.Value, key.VoucherNo.Value, 1, anySender: true);
                if (received is null)
                {
                    missing++;
                    continue;
                }

                steps.Add((new ReplayStep(at, [received.Value], null, [messageId]), peer, seq));
            }
            else
            {
                var (maker, checker) = People(connection, body);
                steps.Add((new ReplayStep(at, [], opened.Value, [messageId]) { Attach = body.Attach, Peer = peer, Maker = maker, Checker = checker }, peer, seq));
            }
        }

        if (missing > 0)
        {
            waiting = $"等待对端重发本节点在备份之后答复过的 {missing} 张凭证";
            return null;
        }

        waiting = null;
        var ordered = steps.OrderBy(s => s.Step.At).ThenBy(s => s.Peer, StringComparer.Ordinal).ThenBy(s => s.Seq).Select(s => s.Step).ToList();
        var plan = new ReplayPlan(restoreId, ordered, expected);
        foreach (var (key, stamps) in held)
        {
            plan.HeldStamps[key] = stamps;
        }

        return plan;
    }

    /// <summary>The holders of the personal seals at the maker's and the checker's positions of an own voucher as its peer holds it.</summary>
    private (string? Maker, string? Checker) People(System.Data.Common.DbConnection connection, VoucherBody body)
    {
        var template = Templates.Find(body.Key.AdmDivCode, body.Key.VtCode, SignatureServer.TemplateVersionOf(body.Stamps) ?? 0);
        string? Holder(StampRole role) =>
            template?.For(reply: false).FirstOrDefault(p => p.Party == Party.Kind && p.IsPersonal && p.Role == role) is { } position
            && body.Stamps.FirstOrDefault(s => s.Position == position.Name) is { } wire
            && SealSignature.TryParse(wire.Der, out var made, out _)
                ? connection.ExecuteScalar<string?>("SELECT holder_user FROM seals WHERE es_id = @esId AND owner_party = @party", new { esId = made.Seal.Info.EsId, party = Party.ToString() })
                : null;
        return (Holder(StampRole.Maker), Holder(StampRole.Checker));
    }

    private static long? ReceivedId(System.Data.Common.DbConnection connection, string peer, string admDivCode, int stYear, string vtCode, string voucherNo, int version, bool anySender = false) =>
        connection.ExecuteScalar<long?>(
            """
            SELECT id FROM vouchers WHERE origin = 'received' AND (sender = @peer OR @anySender) AND adm_div_code = @admDivCode AND st_year = @stYear
              AND vt_code = @vtCode AND voucher_no = @voucherNo AND version = @version
            ORDER BY CASE WHEN sender = @peer THEN 0 ELSE 1 END, id LIMIT 1
            """,
            new { peer, admDivCode, stYear, vtCode, voucherNo, version, anySender });
}
