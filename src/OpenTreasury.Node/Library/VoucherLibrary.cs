using Dapper;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Audit;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.People;
using OpenTreasury.Node.Signing;
using OpenTreasury.Node.Storage;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Wire;

namespace OpenTreasury.Node.Library;

/// <summary>
/// The electronic voucher library (电子凭证库) of one node: write a draft, approve, sign, send, read
/// received, sign for (签收), refuse (签收失败), return (退回), void (作废), answer with a 回单, and
/// the status of each voucher per receiving party. Every operation records its audit entry and its
/// outgoing messages in the same transaction as the state change.
/// </summary>
public sealed partial class VoucherLibrary(NodeDatabase database, ISignatureServer signing, TimeProvider clock)
{
    private const string SelectVoucher = """
        SELECT id AS Id, origin AS Origin, sender AS Sender, adm_div_code AS AdmDivCode, st_year AS StYear,
               vt_code AS VtCode, voucher_no AS VoucherNo, version AS Version, flag AS Flag, state AS State,
               inner_xml AS InnerXml, digest AS Digest, amount_fen AS AmountFen, vou_date AS VouDate,
               attach AS Attach, entered_by AS EnteredBy, approved_by AS ApprovedBy, reason AS Reason, agency_code AS AgencyCode,
               template_version AS TemplateVersion
        FROM vouchers
        """;

    public PartyId Party => signing.Party;

    public NodeDatabase Database => database;

    public ISignatureServer Signing => signing;

    /// <summary>The stamp templates in force here (the master data's, the defaults unless it configures versions).</summary>
    public StampTemplates Templates { get; init; } = StampTemplates.Defaults;

    /// <summary>
    /// The template <paramref name="voucher"/> was made under, by the version it keeps; throws when this node no longer
    /// knows that version (the master data only ever adds versions, so that is a broken configuration).
    /// </summary>
    public StampTemplate TemplateOf(StoredVoucher voucher)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        return Templates.Find(voucher.Key.AdmDivCode, voucher.Key.VtCode, (int)voucher.TemplateVersion)
            ?? throw new InvalidOperationException($"{voucher.Key} was made under stamp template version {voucher.TemplateVersion}, which the master data of {Party} does not configure");
    }

    /// <summary>A business transaction; refused with <see cref="Recovery.NodeRecoveringException"/> while the node recovers from a backup.</summary>
    public LibrarySession Begin()
    {
        if (ActiveReplay is null)
        {
            EnsureOpenForBusiness();
        }

        return BeginAlways();
    }

    /// <summary>The differences between this node's audit chain and its signed checkpoints (none when they agree).</summary>
    public IReadOnlyList<string> CheckAuditCheckpoints(System.Data.Common.DbConnection connection) =>
        AuditCheckpoints.Check(connection, Party, (bytes, signature) =>
            signing.Verify(bytes, signature, AuditCheckpoints.PropertyInfo, Party) is { IsValid: false } check ? check.Message : null);

    /// <summary>Runs one operation in its own transaction and commits it when it succeeded.</summary>
    public LibraryResult Run(Func<LibrarySession, LibraryResult> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        LibraryResult result;
        using (var session = Begin())
        {
            result = operation(session);
            Finish(session, result);
        }

        return result;
    }

    /// <summary>
    /// Ends an operation's transaction: commits it when the operation succeeded, else rolls it back
    /// and records the refusals it noted in a transaction of their own, so every refusal is audited
    /// and none changes anything else.
    /// </summary>
    public void Finish(LibrarySession session, LibraryResult result)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(result);
        if (result.Ok)
        {
            session.Commit();
            return;
        }

        session.Transaction.Rollback();
        if (session.Refusals.Count == 0)
        {
            return;
        }

        using var audit = BeginAlways();
        foreach (var refusal in session.Refusals)
        {
            audit.Audit(refusal.Actor, refusal.Operation, refusal.Subject, refusal.Detail);
        }

        audit.Commit();
    }

    /// <summary>
    /// Handles one received voucher in its own transaction: re-reads it under the write lock and runs
    /// <paramref name="work"/> only if it is still waiting (another worker may have handled it since it
    /// was read). Returns null when it was already handled; commits when the work succeeded.
    /// </summary>
    public LibraryResult? Handle(long id, Func<LibrarySession, StoredVoucher, LibraryResult> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        using var session = Begin();
        var voucher = Find(session, id);
        if (voucher is not { Origin: "received", State: "received" })
        {
            return null;
        }

        var result = work(session, voucher);
        Finish(session, result);
        return result;
    }

    /// <summary>
    /// Works through every received voucher waiting to be handled, 100 at a time, each in its own
    /// transaction. A voucher whose work is refused or throws is refused (签收失败) with the reason in a
    /// transaction of its own, so one bad voucher never blocks the ones behind it.
    /// </summary>
    public IReadOnlyList<(StoredVoucher Voucher, LibraryResult Outcome)> WorkReceived(string actor, Func<LibrarySession, StoredVoucher, LibraryResult> work)
    {
        var outcomes = new List<(StoredVoucher, LibraryResult)>();
        var stuck = new HashSet<long>();
        var replay = ActiveReplay;
        while ((replay is null ? ReadReceived() : ReplayBatch(replay)) is { Count: > 0 } batch && batch.Any(v => !stuck.Contains(v.Id)))
        {
            foreach (var voucher in batch.Where(v => !stuck.Contains(v.Id)))
            {
                LibraryResult? outcome;
                try
                {
                    outcome = Handle(voucher.Id, work);
                }
                catch (Exception ex) when (ex is not (OperationCanceledException or ReplayDivergedException))
                {
                    outcome = LibraryResult.Refused(LibraryRejection.ProcessingFailed, $"{ex.GetType().Name}: {ex.Message}", voucher.Id);
                }

                if (outcome is null)
                {
                    continue; // Another worker handled it first.
                }

                if (!outcome.Ok && Handle(voucher.Id, (session, v) => Refuse(session, v.Id, actor, Shorten($"无法处理: {outcome.Rejection}: {outcome.Message}"))) is not { Ok: true })
                {
                    stuck.Add(voucher.Id);
                }

                outcomes.Add((voucher, outcome));
            }
        }

        return outcomes;
    }

    private static string Shorten(string reason) => reason.Length <= Limits.ReasonLengthMax ? reason : reason[..(Limits.ReasonLengthMax - 1)] + "…";

    /// <summary>Writes a new draft (草稿) of an own voucher, entered by <paramref name="enteredBy"/>.</summary>
    public LibraryResult CreateDraft(LibrarySession session, Voucher voucher, IReadOnlyList<PartyId> receivers, string enteredBy, string attach = "")
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(voucher);
        ArgumentNullException.ThrowIfNull(receivers);
        var problems = VoucherRules.Check(voucher);
        if (problems.Count > 0)
        {
            return LibraryResult.Refused(LibraryRejection.InvalidVoucher, string.Join("; ", problems));
        }

        var type = VoucherCatalogue.Get(voucher.VtCode);
        if (type.Sender != Party.Kind)
        {
            return LibraryResult.Refused(LibraryRejection.WrongSender, $"{Party} may not send a {type.VtCode} {type.Name}");
        }

        if (receivers.Count == 0 || receivers.Any(r => !type.Receivers.Contains(r.Kind)))
        {
            return LibraryResult.Refused(LibraryRejection.WrongReceiver,
                $"a {type.VtCode} {type.Name} goes to {string.Join(", ", type.Receivers)}, not to {string.Join(", ", receivers)}");
        }

        if (!UserExists(session, enteredBy))
        {
            return LibraryResult.Refused(LibraryRejection.UnknownUser, $"no user '{enteredBy}' at {Party}");
        }

        if (attach.Length > Limits.ReasonLengthMax)
        {
            return LibraryResult.Refused(LibraryRejection.InvalidVoucher, $"the attached note is longer than {Limits.ReasonLengthMax} characters");
        }

        var key = voucher.Key;
        if (FindOwn(session, key) is not null)
        {
            return LibraryResult.Refused(LibraryRejection.DuplicateVoucherNo, $"{key} already exists at {Party}; a new voucher needs a new number");
        }

        var inner = VoucherXml.Write(voucher);
        // Made under its division's newest template version, which it keeps for life (its stamps sign it).
        var template = Templates.Current(key.AdmDivCode, key.VtCode).Version;
        var id = InsertVoucher(session, "own", Party, key, 1, VoucherFlag.Voucher, "draft", inner, voucher, type, attach, enteredBy, template);
        foreach (var receiver in receivers.Distinct())
        {
            session.Connection.Execute(
                "INSERT INTO deliveries (voucher_id, receiver, status, updated_at) VALUES (@id, @receiver, @status, @now)",
                new { id, receiver = receiver.ToString(), status = (int)VoucherStatus.NotSent, now = session.NowText },
                session.Transaction);
        }

        session.Audit(enteredBy, "draft", key.ToString(), $"to {string.Join(",", receivers)}; {type.HeaderAmountField}={AmountText(voucher, type)}");
        return LibraryResult.Done(id);
    }

    /// <summary>Approves (审核) a draft; the approver must be another person than the one who entered it.</summary>
    public LibraryResult Approve(LibrarySession session, long id, string approvedBy)
    {
        ArgumentNullException.ThrowIfNull(session);
        var voucher = Find(session, id);
        if (voucher is null || voucher.Origin != "own")
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no own voucher {id} at {Party}");
        }

        if (!UserExists(session, approvedBy))
        {
            return LibraryResult.Refused(LibraryRejection.UnknownUser, $"no user '{approvedBy}' at {Party}");
        }

        if (voucher.State != "draft")
        {
            return LibraryResult.Refused(LibraryRejection.IllegalTransition, $"{voucher.Key} is {voucher.State}; only a draft can be approved", id);
        }

        if (string.Equals(voucher.EnteredBy, approvedBy, StringComparison.Ordinal))
        {
            session.AuditRefusal(approvedBy, "approve-refused", voucher.Key.ToString(), $"{LibraryRejection.SameMakerAndChecker}: entry and approval by the same person");
            return LibraryResult.Refused(LibraryRejection.SameMakerAndChecker,
                $"{voucher.Key} was entered by {approvedBy}; another person must approve it (录入与审核不得为同一人)", id);
        }

        var unstampedMaker = Unstamped(session, voucher).Where(p => p.Role == Domain.Seals.StampRole.Maker).Select(p => p.Name).ToList();
        if (unstampedMaker.Count > 0)
        {
            return LibraryResult.Refused(LibraryRejection.NotStamped,
                $"{voucher.Key} lacks the maker's personal seal at {string.Join(", ", unstampedMaker)}; {voucher.EnteredBy} stamps it before approval", id);
        }

        UpdateState(session, id, "approved", approvedBy: approvedBy);
        session.Audit(approvedBy, "approve", voucher.Key.ToString(), string.Empty);
        return LibraryResult.Done(id);
    }

    /// <summary>Sends a signed voucher: an outbox message per receiver, written with the status change.</summary>
    public LibraryResult Send(LibrarySession session, long id)
    {
        ArgumentNullException.ThrowIfNull(session);
        var voucher = Find(session, id);
        if (voucher is null || voucher.Origin != "own")
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no own voucher {id} at {Party}");
        }

        var missing = Unstamped(session, voucher).Select(p => $"{p.Name} ({p.ChineseName})").ToList();
        if (missing.Count > 0 || voucher.State != "signed")
        {
            return LibraryResult.Refused(missing.Count > 0 ? LibraryRejection.NotStamped : LibraryRejection.IllegalTransition,
                missing.Count > 0 ? $"{voucher.Key} is not stamped at {string.Join(", ", missing)}" : $"{voucher.Key} is {voucher.State}; only a fully stamped voucher is sent", id);
        }

        var stamps = Stamps(session, id);

        var envelope = Envelope(voucher, stamps);
        foreach (var delivery in Deliveries(session, id))
        {
            var next = Move(delivery.Status, VoucherAction.Send);
            if (next is null)
            {
                return LibraryResult.Refused(LibraryRejection.IllegalTransition, $"{voucher.Key} to {delivery.Receiver} is {delivery.Status}", id);
            }

            SetDelivery(session, id, delivery.Receiver, next.Value, null);
            Enqueue(session, PartyId.Parse(delivery.Receiver), MessageKind.Voucher, $"{Party}>{delivery.Receiver}:{voucher.Key}/v{voucher.Version}", envelope, id);
        }

        UpdateState(session, id, "sent");
        session.Audit(Party.ToString(), "send", voucher.Key.ToString(), $"v{voucher.Version} to {string.Join(",", Deliveries(session, id).Select(d => d.Receiver))}");
        return LibraryResult.Done(id);
    }

    /// <summary>Voids (作废) an own voucher nobody has accepted: never sent, refused or returned.</summary>
    public LibraryResult Void(LibrarySession session, long id, string actor, string reason)
    {
        ArgumentNullException.ThrowIfNull(session);
        var voucher = Find(session, id);
        if (voucher is null || voucher.Origin != "own")
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no own voucher {id} at {Party}");
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Length > Limits.ReasonLengthMax)
        {
            return LibraryResult.Refused(LibraryRejection.ReasonRequired, $"a void needs a reason of 1–{Limits.ReasonLengthMax} characters", id);
        }

        if (!UserExists(session, actor))
        {
            return LibraryResult.Refused(LibraryRejection.UnknownUser, $"no user '{actor}' at {Party}", id);
        }

        if (IsOnEmergencyPaper(session, id))
        {
            // Paid, or about to be, at the bank's counter under this number: a void (and a reissue under a new one) would pay it twice.
            session.AuditRefusal(actor, "void-refused", voucher.Key.ToString(), $"{LibraryRejection.IllegalTransition}: taken to paper ({EmergencyPaperMark})");
            return LibraryResult.Refused(LibraryRejection.IllegalTransition, $"{voucher.Key} was taken to paper ({EmergencyPaperMark}); it is settled by `treasury paper reconcile`, never voided", id);
        }

        var deliveries = Deliveries(session, id);
        var unsentDraft = voucher.State is "draft" or "approved" or "signed";
        foreach (var delivery in deliveries)
        {
            if (Move(delivery.Status, VoucherAction.Void) is null)
            {
                return LibraryResult.Refused(LibraryRejection.IllegalTransition,
                    $"{voucher.Key} is {(int)delivery.Status} ({delivery.Status}) at {delivery.Receiver}; only an unsent, refused or returned voucher can be voided", id);
            }
        }

        if (!unsentDraft && voucher.State != "sent")
        {
            return LibraryResult.Refused(LibraryRejection.IllegalTransition, $"{voucher.Key} is {voucher.State}", id);
        }

        // What the void voided from, so a restore (恢复, VoucherLibrary.Restore.cs) can put exactly that back.
        session.Connection.Execute("UPDATE deliveries SET voided_from = status WHERE voucher_id = @id", new { id }, session.Transaction);
        session.Connection.Execute("UPDATE vouchers SET voided_from = state WHERE id = @id", new { id }, session.Transaction);
        foreach (var delivery in deliveries)
        {
            SetDelivery(session, id, delivery.Receiver, VoucherStatus.Voided, reason);
        }

        UpdateState(session, id, "voided", reason: reason);
        session.Audit(actor, "void", voucher.Key.ToString(), reason);
        return LibraryResult.Done(id);
    }

    /// <summary>Received vouchers not yet signed for, refused or returned; at most <see cref="Limits.ReadBatchMax"/> a call.</summary>
    public IReadOnlyList<StoredVoucher> ReadReceived(string? vtCode = null, int limit = Limits.ReadBatchMax)
    {
        limit = Math.Clamp(limit, 1, Limits.ReadBatchMax);
        using var connection = database.Connect();
        return [.. connection.Query<StoredVoucher>(
            $"{SelectVoucher} WHERE origin = 'received' AND state = 'received' AND (@vtCode IS NULL OR vt_code = @vtCode) ORDER BY id LIMIT @limit",
            new { vtCode, limit })];
    }

    /// <summary>Signs for (签收) a received voucher; the sender learns it through a signed status notice.</summary>
    public LibraryResult SignFor(LibrarySession session, long id, string actor) =>
        Answer(session, id, actor, ReceiverState.SignedFor, null);

    /// <summary>Refuses (签收失败) a received voucher with a reason.</summary>
    public LibraryResult Refuse(LibrarySession session, long id, string actor, string reason) =>
        Answer(session, id, actor, ReceiverState.SignForFailed, reason);

    /// <summary>Returns (退回) a received voucher to its sender with a reason; the sender may void and reissue it.</summary>
    public LibraryResult Return(LibrarySession session, long id, string actor, string reason) =>
        Answer(session, id, actor, ReceiverState.Returned, reason);

    /// <summary>
    /// Answers a received voucher with its 回单: a new version, flag 1, the receiver's X-fields filled
    /// in, entered by <paramref name="maker"/> and approved by <paramref name="checker"/> (two people),
    /// stamped at the 回单 positions and sent to the original sender (and any others).
    /// </summary>
    public LibraryResult Reply(LibrarySession session, long id, Signer maker, Signer checker, Func<Voucher, Voucher> fill, IReadOnlyList<PartyId> alsoTo)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(maker);
        ArgumentNullException.ThrowIfNull(checker);
        ArgumentNullException.ThrowIfNull(fill);
        ArgumentNullException.ThrowIfNull(alsoTo);
        var received = Find(session, id);
        if (received is null || received.Origin != "received")
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no received voucher {id} at {Party}");
        }

        if (!received.Type.HasReply || received.Type.Receivers[0] != Party.Kind)
        {
            return LibraryResult.Refused(LibraryRejection.NoReplyForType, $"{received.VtCode} has no 回单 from {Party}", id);
        }

        var signedFor = SignFor(session, id, maker.UserId);
        if (!signedFor.Ok)
        {
            return signedFor;
        }

        var content = fill(received.Content);
        var problems = VoucherRules.Check(content);
        if (problems.Count > 0 || content.Key != received.Key)
        {
            return LibraryResult.Refused(LibraryRejection.InvalidVoucher, $"the 回单 of {received.Key} is invalid: {string.Join("; ", problems)}", id);
        }

        var version = (int)received.Version + 1;
        var inner = VoucherXml.Write(content);
        var replyId = InsertVoucher(session, "own", Party, received.Key, version, VoucherFlag.Reply, "draft", inner, content, received.Type, string.Empty, maker.UserId, (int)received.TemplateVersion);
        var receivers = new[] { received.SenderParty }.Concat(alsoTo).Distinct();
        foreach (var receiver in receivers)
        {
            session.Connection.Execute(
                "INSERT INTO deliveries (voucher_id, receiver, status, updated_at) VALUES (@replyId, @receiver, @status, @now)",
                new { replyId, receiver = receiver.ToString(), status = (int)VoucherStatus.ReplyNotSent, now = session.NowText },
                session.Transaction);
        }

        session.Audit(maker.UserId, "reply", received.Key.ToString(), $"回单 v{version}");
        return Complete(session, replyId, maker, checker);
    }

    public StoredVoucher? Find(long id)
    {
        using var connection = database.Connect();
        return connection.QuerySingleOrDefault<StoredVoucher>($"{SelectVoucher} WHERE id = @id", new { id });
    }

    public static StoredVoucher? Find(LibrarySession session, long id)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.QuerySingleOrDefault<StoredVoucher>($"{SelectVoucher} WHERE id = @id", new { id }, session.Transaction);
    }

    /// <summary>The newest version of an own voucher with this key (the original, or this node's 回单).</summary>
    public StoredVoucher? FindOwn(VoucherKey key)
    {
        using var connection = database.Connect();
        return FindOwn(connection, null, key);
    }

    public StoredVoucher? FindOwn(LibrarySession session, VoucherKey key)
    {
        ArgumentNullException.ThrowIfNull(session);
        return FindOwn(session.Connection, session.Transaction, key);
    }

    /// <summary>Vouchers of this library, newest first, optionally of one VtCode.</summary>
    public IReadOnlyList<StoredVoucher> List(string? vtCode = null, int limit = 1000)
    {
        using var connection = database.Connect();
        return [.. connection.Query<StoredVoucher>(
            $"{SelectVoucher} WHERE (@vtCode IS NULL OR vt_code = @vtCode) ORDER BY id LIMIT @limit", new { vtCode, limit })];
    }

    /// <summary>Every stored version of a voucher number of one VtCode (both directions).</summary>
    public IReadOnlyList<StoredVoucher> Versions(string vtCode, string voucherNo)
    {
        using var connection = database.Connect();
        return [.. connection.Query<StoredVoucher>(
            $"{SelectVoucher} WHERE vt_code = @vtCode AND voucher_no = @voucherNo ORDER BY version, id", new { vtCode, voucherNo })];
    }

    public IReadOnlyList<StoredStamp> Stamps(long id)
    {
        using var connection = database.Connect();
        return StampsOf(connection, null, id);
    }

    public IReadOnlyList<DeliveryState> Deliveries(long id)
    {
        using var connection = database.Connect();
        return DeliveriesOf(connection, null, id);
    }

    /// <summary>The MOF envelope of a stored voucher with its stamps: byte for byte what was sent or received.</summary>
    public byte[] Export(long id)
    {
        var voucher = RequireIntact(Find(id) ?? throw new KeyNotFoundException($"no voucher {id} at {Party}"));
        return Envelope(voucher, Stamps(id));
    }

    private static byte[] Envelope(StoredVoucher voucher, IReadOnlyList<StoredStamp> stamps) =>
        MofFormat.Write(new MofEnvelope([
            new VoucherBody(
                voucher.Key,
                (int)voucher.Version,
                voucher.IsReply ? VoucherFlag.Reply : VoucherFlag.Voucher,
                voucher.Attach,
                voucher.InnerXml,
                [.. stamps.Select(s => new WireStamp(s.Position, s.Der))]),
        ]));

    private LibraryResult Answer(LibrarySession session, long id, string actor, ReceiverState to, string? reason)
    {
        ArgumentNullException.ThrowIfNull(session);
        var voucher = Find(session, id);
        if (voucher is null || voucher.Origin != "received")
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no received voucher {id} at {Party}");
        }

        if (to != ReceiverState.SignedFor && (string.IsNullOrWhiteSpace(reason) || reason.Length > Limits.ReasonLengthMax))
        {
            return LibraryResult.Refused(LibraryRejection.ReasonRequired, $"a {to} needs a reason of 1–{Limits.ReasonLengthMax} characters", id);
        }

        if (ReceiverLifecycle.TryMove(ToReceiverState(voucher.State), to) != LifecycleRejection.None)
        {
            return LibraryResult.Refused(LibraryRejection.IllegalTransition, $"{voucher.Key} is {voucher.State}; it cannot become {to}", id);
        }

        UpdateState(session, id, to switch
        {
            ReceiverState.SignedFor => "signed_for",
            ReceiverState.SignForFailed => "refused",
            _ => "returned",
        }, reason: reason);
        var notice = StatusNotice.For(Party, voucher.SenderParty, voucher.Key, (int)voucher.Version, to, reason);
        if (ActiveReplay is { } replay)
        {
            TakeReplayedAnswer(session, replay, notice, id); // re-done after a restore: the peer's copy of this very answer
        }
        else
        {
            Enqueue(session, voucher.SenderParty, MessageKind.Status, notice.MessageId, notice.Seal(signing, session.Now), id);
        }

        session.Audit(actor, to.ToString(), voucher.Key.ToString(), reason ?? string.Empty);
        return LibraryResult.Done(id);
    }

    private static ReceiverState ToReceiverState(string state) => state switch
    {
        "received" => ReceiverState.Received,
        "signed_for" => ReceiverState.SignedFor,
        "refused" => ReceiverState.SignForFailed,
        "returned" => ReceiverState.Returned,
        _ => throw new InvalidOperationException($"'{state}' is not a state of a received voucher"),
    };

    /// <summary>The next status for a move, or null when the lifecycle table forbids it.</summary>
    private static VoucherStatus? Move(VoucherStatus current, VoucherAction action) =>
        VoucherLifecycle.TryMove(current, action, out var next) == LifecycleRejection.None ? next : null;

    private static long InsertVoucher(
        LibrarySession session, string origin, PartyId sender, VoucherKey key, int version, VoucherFlag flag, string state,
        byte[] inner, Voucher content, VoucherType type, string attach, string? enteredBy, int templateVersion, string? digest = null)
    {
        var amount = type.HeaderAmountField is { } field && content[field] is { Length: > 0 } text ? Domain.Money.Amount.ParseWire(text).Fen : (long?)null;
        var id = session.Connection.ExecuteScalar<long>(
            """
            INSERT INTO vouchers (origin, sender, adm_div_code, st_year, vt_code, voucher_no, version, flag, state, inner_xml, digest,
                                  amount_fen, vou_date, attach, entered_by, agency_code, template_version, created_at, updated_at)
            VALUES (@origin, @sender, @adm, @year, @vt, @no, @version, @flag, @state, @inner, @digest,
                    @amount, @vouDate, @attach, @enteredBy, @agency, @templateVersion, @now, @now)
            RETURNING id
            """,
            new
            {
                origin,
                sender = sender.ToString(),
                adm = key.AdmDivCode.Value,
                year = key.StYear.Value,
                vt = key.VtCode.Value,
                no = key.VoucherNo.Value,
                version,
                flag = (int)flag,
                state,
                inner,
                digest = digest ?? Digest(inner),
                amount,
                vouDate = content["VouDate"] ?? string.Empty,
                attach,
                enteredBy,
                templateVersion,
                agency = content["AgencyCode"] is { Length: > 0 } agency ? agency : null,
                now = session.NowText,
            },
            session.Transaction);
        VoucherIndex.Record(session.Connection, session.Transaction, id, content);
        return id;
    }

    private static void UpdateState(LibrarySession session, long id, string state, string? approvedBy = null, string? reason = null) =>
        session.Connection.Execute(
            "UPDATE vouchers SET state = @state, approved_by = COALESCE(@approvedBy, approved_by), reason = COALESCE(@reason, reason), updated_at = @now WHERE id = @id",
            new { id, state, approvedBy, reason, now = session.NowText },
            session.Transaction);

    private static void SetDelivery(LibrarySession session, long id, string receiver, VoucherStatus status, string? reason) =>
        session.Connection.Execute(
            "UPDATE deliveries SET status = @status, reason = @reason, updated_at = @now WHERE voucher_id = @id AND receiver = @receiver",
            new { id, receiver, status = (int)status, reason, now = session.NowText },
            session.Transaction);

    /// <summary>
    /// Writes one message to the outbox with the next number of this node's gapless sequence to <paramref name="receiver"/>
    /// (ADR 0016), both in the caller's transaction: the sequence row is locked until it commits, so numbers are never
    /// given twice and never skipped.
    /// </summary>
    private static void Enqueue(LibrarySession session, PartyId receiver, MessageKind kind, string messageId, byte[] payload, long voucherId)
    {
        if (s_replay.Value is { } replay && replay.Library?.Database == session.Database)
        {
            // Re-doing after a restore makes no new message: only the ones its peers hold already, kept as they hold them.
            if (kind != MessageKind.Voucher)
            {
                throw new ReplayDivergedException($"re-doing the work after the restore would send {messageId}, which no peer holds");
            }

            TakeReplayedVoucher(session, replay, receiver, messageId, voucherId);
            return;
        }

        var peer = receiver.ToString();
        var sequence = session.Connection.ExecuteScalar<long>(
            """
            INSERT INTO peer_sequences (receiver, last_seq) VALUES (@peer, 1)
            ON CONFLICT (receiver) DO UPDATE SET last_seq = peer_sequences.last_seq + 1
            RETURNING last_seq
            """,
            new { peer }, session.Transaction);
        session.Connection.Execute(
            """
            INSERT INTO outbox (message_id, receiver, kind, voucher_id, payload, next_attempt_at, created_at, peer_seq)
            VALUES (@messageId, @peer, @kind, @voucherId, @payload, @now, @now, @sequence)
            """,
            new { messageId, peer, kind = kind == MessageKind.Voucher ? "voucher" : "status", voucherId, payload, now = session.NowText, sequence },
            session.Transaction);
    }

    private static bool UserExists(LibrarySession session, string user) =>
        session.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM users WHERE id = @user", new { user }, session.Transaction) > 0;

    private StoredVoucher? FindOwn(System.Data.IDbConnection connection, System.Data.IDbTransaction? transaction, VoucherKey key) =>
        connection.QueryFirstOrDefault<StoredVoucher>(
            $"{SelectVoucher} WHERE origin = 'own' AND sender = @sender AND adm_div_code = @adm AND st_year = @year AND vt_code = @vt AND voucher_no = @no ORDER BY version DESC LIMIT 1",
            new { sender = Party.ToString(), adm = key.AdmDivCode.Value, year = key.StYear.Value, vt = key.VtCode.Value, no = key.VoucherNo.Value },
            transaction);

    private static List<StoredStamp> Stamps(LibrarySession session, long id) => StampsOf(session.Connection, session.Transaction, id);

    private static List<StoredStamp> StampsOf(System.Data.IDbConnection connection, System.Data.IDbTransaction? transaction, long id) =>
        [.. connection.Query<StoredStamp>(
            "SELECT position AS Position, der AS Der, signer AS Signer, es_id AS EsId, signed_at AS SignedAt FROM stamps WHERE voucher_id = @id ORDER BY position",
            new { id }, transaction)];

    private static List<DeliveryState> Deliveries(LibrarySession session, long id) => DeliveriesOf(session.Connection, session.Transaction, id);

    private static List<DeliveryState> DeliveriesOf(System.Data.IDbConnection connection, System.Data.IDbTransaction? transaction, long id) =>
        [.. connection.Query<DeliveryRow>(
            "SELECT receiver AS Receiver, status AS Status, reason AS Reason, updated_at AS UpdatedAt FROM deliveries WHERE voucher_id = @id ORDER BY receiver",
            new { id }, transaction)
            .Select(r => new DeliveryState(r.Receiver, (VoucherStatus)r.Status, r.Reason, r.UpdatedAt))];

    private static string AmountText(Voucher voucher, VoucherType type) =>
        type.HeaderAmountField is { } field ? voucher[field] ?? "-" : "-";

    internal static string Digest(byte[] bytes) => Convert.ToHexStringLower(Sm3.Hash(bytes));

    private sealed record DeliveryRow(string Receiver, long Status, string? Reason, string UpdatedAt);
}
