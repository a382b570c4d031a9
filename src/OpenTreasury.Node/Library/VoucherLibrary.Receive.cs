using System.Data.Common;
using Dapper;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Seals;
using OpenTreasury.Node.Signing;
using OpenTreasury.Trust.Seals;
using OpenTreasury.Trust.Signatures;
using OpenTreasury.Wire;

namespace OpenTreasury.Node.Library;

/// <summary>Stable codes for why a received message was not accepted (status 2, 接收失败).</summary>
public enum ReceiveFailure
{
    None = 0,
    MalformedMessage = 1,
    InvalidContent = 2,
    WrongSender = 3,
    WrongReceiver = 4,
    MissingStamp = 5,
    BadSignature = 6,
    DuplicateWithDifferentContent = 7,
    StaleVersion = 8,
    ForeignStamp = 9,
    OnePersonAlone = 10,
    WrongEnvironment = 11, // a test environment's (测试环境) voucher at a production node, or the other way round
    UnknownTemplate = 12,  // the stamps name a stamp template version (凭证模板版本) this node's master data does not configure
}

public sealed partial class VoucherLibrary : IMessageReceiver
{
    /// <summary>
    /// From this size on (a payroll of a few hundred lines) <see cref="Open"/> reads the inner voucher on a pool thread
    /// while the receiving thread hashes it; below it, handing the work over costs more than it saves.
    /// </summary>
    private const int OpenInParallelBytesMin = 64 * 1024;

    /// <summary>
    /// Takes one message from another node. A voucher is verified before anything is stored; a
    /// repeat with the same content replays the stored answer; a repeat with other content, a stale
    /// version, or anything that fails verification is refused and logged, and changes nothing else.
    /// </summary>
    public DeliveryAnswer Receive(TransportMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.To != Party)
        {
            return new DeliveryAnswer(VoucherStatus.ReceiveFailed, $"{ReceiveFailure.WrongReceiver}: this node is {Party}, not {message.To}");
        }

        if (message.Kind != MessageKind.Recovery && RecoveringSince is { } since && !TakesDeliveriesWhileRecovering())
        {
            // Restored from a backup: nothing is taken until its own messages after the backup are accounted for (ADR 0016);
            // the sender keeps the message and delivers it again (the peer queues everything after our last number again when we open).
            throw new TransportException($"{Party} is recovering from its backup of {since}; it takes deliveries again once it has recovered");
        }

        try
        {
            return message.Kind switch
            {
                MessageKind.Status => ReceiveStatus(message),
                MessageKind.Recovery => ReceiveRecovery(message),
                _ => ReceiveVoucher(message),
            };
        }
        catch (DbException ex)
        {
            // The store is busy or failing, or a concurrent delivery of the same message stored it first:
            // the sender keeps the message and retries (a repeat then replays the stored answer).
            var why = database.Dialect.IsBusy(ex) ? "the store is busy" : database.Dialect.IsUniqueViolation(ex) ? "a concurrent delivery stored it first" : "the store failed";
            throw new TransportException($"{Party} could not store the message now ({why}): {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is not TransportException)
        {
            // Whatever hostile bytes made a parser throw, the answer is a refusal, never a crash of the receiver.
            return Refuse(message, message.MessageId, Digest(message.Payload), ReceiveFailure.MalformedMessage, $"the message could not be processed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>
    /// A received body's inner voucher read against the catalogue's rules (<see cref="MofFormat.OpenBody"/>) and its
    /// SM3, each once. A big voucher (a payroll) is read on a pool thread while this one hashes it.
    /// </summary>
    public static (WireResult<Voucher> Content, DataHash Data) Open(VoucherBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.InnerVoucher.Length < OpenInParallelBytesMin)
        {
            return (MofFormat.OpenBody(body), DataHash.Of(body.InnerVoucher));
        }

        var opening = Task.Run(() => MofFormat.OpenBody(body));
        var data = DataHash.Of(body.InnerVoucher);
        return (opening.GetAwaiter().GetResult(), data);
    }

    /// <summary>Records the receiver's immediate answer to a delivered voucher on the sender's side.</summary>
    internal static void ApplyAnswer(LibrarySession session, long voucherId, PartyId receiver, DeliveryAnswer answer)
    {
        var voucher = Find(session, voucherId);
        if (voucher is null)
        {
            return;
        }

        var action = answer.Status == VoucherStatus.Received ? VoucherAction.AcknowledgeReceipt : VoucherAction.FailReceipt;
        ApplyMove(session, voucher, receiver, action, answer.Reason);
    }

    private DeliveryAnswer ReceiveVoucher(TransportMessage message)
    {
        var read = MofFormat.Read(message.Payload);
        if (!read.IsSuccess || read.Value.Bodies.Count != 1)
        {
            var why = read.IsSuccess ? "one voucher per message is expected" : string.Join("; ", read.Errors);
            return Refuse(message, "message", Digest(message.Payload), ReceiveFailure.MalformedMessage, why);
        }

        var body = read.Value.Bodies[0];
        var subject = $"{body.Key}/v{body.Version}";
        if ((body.Flag == VoucherFlag.Voucher) != (body.Version == 1))
        {
            // A voucher is version 1; every later version is a 回单. A changed voucher needs a new number.
            return Refuse(message, subject, Digest(body.InnerVoucher), ReceiveFailure.StaleVersion,
                body.Flag == VoucherFlag.Voucher ? "a voucher (flag 0) is always version 1; a changed voucher needs a new number" : "a 回单 (flag 1) is version 2 or later");
        }

        // SM3 of the voucher's bytes, once: the inbox's digest, every stamp's dataHash and the stored digest.
        var (opened, dataHash) = Open(body);
        var bodyDigest = dataHash.ToHex();
        using var session = BeginAlways();
        var previous = session.Connection.QueryFirstOrDefault<InboxRow>(
            """
            SELECT digest AS Digest, status AS Status, reason AS Reason FROM inbox
            WHERE sender = @sender AND adm_div_code = @adm AND st_year = @year AND vt_code = @vt AND voucher_no = @no AND version = @version
            """,
            InboxKey(message.From, body), session.Transaction);
        if (previous is not null)
        {
            if (previous.Digest == bodyDigest)
            {
                return new DeliveryAnswer((VoucherStatus)previous.Status, previous.Reason); // A repeat: replay the answer.
            }

            return Refuse(session, message, subject, bodyDigest, ReceiveFailure.DuplicateWithDifferentContent,
                $"{subject} was already received with other content (SM3 {previous.Digest}); a changed voucher needs a new number");
        }

        var newest = session.Connection.ExecuteScalar<long?>(
            "SELECT MAX(version) FROM inbox WHERE sender = @sender AND adm_div_code = @adm AND st_year = @year AND vt_code = @vt AND voucher_no = @no",
            InboxKey(message.From, body), session.Transaction);
        if (newest is { } n && n > body.Version)
        {
            return Refuse(session, message, subject, bodyDigest, ReceiveFailure.StaleVersion, $"{subject} is older than version {n} already received");
        }

        var (failure, reason, content, template) = Check(session, message.From, body, opened, dataHash);
        if (failure != ReceiveFailure.None)
        {
            return Refuse(session, message, subject, bodyDigest, failure, reason);
        }

        var id = InsertVoucher(session, "received", message.From, body.Key, body.Version, body.Flag, "received", body.InnerVoucher, content!, VoucherCatalogue.Get(body.Key.VtCode), body.Attach, null, template!.Version, bodyDigest);
        foreach (var stamp in body.Stamps)
        {
            session.Connection.Execute(
                "INSERT INTO stamps (voucher_id, position, der, signer, signed_at) VALUES (@id, @position, @der, @signer, @now)",
                new { id, position = stamp.Position, der = stamp.Der, signer = message.From.ToString(), now = session.NowText },
                session.Transaction);
        }

        var key = InboxKey(message.From, body);
        session.Connection.Execute(
            """
            INSERT INTO inbox (sender, adm_div_code, st_year, vt_code, voucher_no, version, digest, voucher_id, status, received_at)
            VALUES (@sender, @adm, @year, @vt, @no, @version, @digest, @id, 1, @now)
            """,
            new DynamicParameters(key).With("digest", bodyDigest).With("id", id).With("now", session.NowText),
            session.Transaction);

        if (body.Flag == VoucherFlag.Reply && FindOwn(session, body.Key) is { IsReply: false } original)
        {
            ApplyMove(session, original, message.From, VoucherAction.ArriveReply, null); // 12: 回单 received.
        }

        session.Audit(message.From.ToString(), body.Flag == VoucherFlag.Reply ? "receive-reply" : "receive", subject, $"SM3 {bodyDigest}; stamps {string.Join(",", body.Stamps.Select(s => s.Position))}");
        Keep(session, message);
        session.Commit();
        return DeliveryAnswer.Accepted;
    }

    /// <summary>
    /// Checks content, the parties' right to send and receive this VtCode, and every stamp of the
    /// template (GB/T 38540 verification plus the seal's right to its position), and that the maker's
    /// and the checker's personal seals are two different people's. The template is the version the stamps sign
    /// (<see cref="SignatureServer.PropertyInfo"/>), which this node must configure. The voucher's content and its
    /// template when it passes.
    /// </summary>
    private (ReceiveFailure Failure, string Reason, Voucher? Content, StampTemplate? Template) Check(
        LibrarySession session, PartyId from, VoucherBody body, WireResult<Voucher> opened, DataHash dataHash)
    {
        if (!opened.IsSuccess)
        {
            return (ReceiveFailure.InvalidContent, string.Join("; ", opened.Errors), null, null);
        }

        var content = opened.Value;
        var type = VoucherCatalogue.Get(body.Key.VtCode);
        var isReply = body.Flag == VoucherFlag.Reply;
        var sender = isReply ? type.Receivers[0] : type.Sender;
        if (sender != from.Kind || (isReply && !type.HasReply))
        {
            return (ReceiveFailure.WrongSender, $"{from} may not send a {(isReply ? "回单 of " : string.Empty)}{type.VtCode} {type.Name}", null, null);
        }

        if (!isReply && !type.Receivers.Contains(Party.Kind))
        {
            return (ReceiveFailure.WrongReceiver, $"{Party} does not receive {type.VtCode} {type.Name}", null, null);
        }

        // The template version the stamps sign (the first stamp names it; a stamp naming another fails its signature).
        var named = SignatureServer.TemplateVersionOf(body.Stamps);
        var template = named is { } version ? Templates.Find(body.Key.AdmDivCode, body.Key.VtCode, version) : null;
        if (template is null)
        {
            return (ReceiveFailure.UnknownTemplate, $"the stamps name stamp template version {named?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} of {body.Key.AdmDivCode}/{type.VtCode}, which {Party}'s master data does not configure", null, null);
        }

        if (isReply && FindOwn(session, body.Key) is { IsReply: false } original && original.TemplateVersion != template.Version)
        {
            return (ReceiveFailure.UnknownTemplate, $"the 回单 names stamp template version {template.Version}, but {body.Key} was made under version {original.TemplateVersion}", null, null);
        }

        var positions = template.For(isReply).Where(p => p.Party == from.Kind).ToList();
        var foreign = body.Stamps.FirstOrDefault(s => positions.All(p => p.Name != s.Position));
        if (foreign is not null)
        {
            return (ReceiveFailure.ForeignStamp, $"stamp at '{foreign.Position}' does not belong on a {(isReply ? "回单 of " : string.Empty)}{type.VtCode}", null, null);
        }

        var stampers = new Dictionary<StampRole, string?>();
        foreach (var position in positions)
        {
            var stamp = body.Stamps.FirstOrDefault(s => s.Position == position.Name);
            if (stamp is null)
            {
                return (ReceiveFailure.MissingStamp, $"position {position.Name} ({position.ChineseName}) is not stamped", null, null);
            }

            var check = signing.VerifyStamp(dataHash, stamp.Der, SignatureServer.PropertyInfo(body.Key, body.Version, position.Name, template.Version),
                s => StampRights.Check(SealRegistry.Find(session, s.Seal.Info.EsId), position, from, content, s));
            if (check.Failure == StampFailure.WrongEnvironment)
            {
                return (ReceiveFailure.WrongEnvironment, $"stamp {position.Name} ({position.ChineseName}): {check.Message}", null, null);
            }

            if (!check.IsValid)
            {
                return (ReceiveFailure.BadSignature, $"stamp {position.Name} ({position.ChineseName}): {check.Failure} ({(int)check.Failure}): {check.Message}", null, null);
            }

            if (position.IsPersonal)
            {
                stampers[position.Role] = StampRights.StamperOf(check.Signature!);
            }
        }

        if (stampers.TryGetValue(StampRole.Maker, out var maker) && stampers.TryGetValue(StampRole.Checker, out var checker) && maker == checker)
        {
            return (ReceiveFailure.OnePersonAlone, $"{maker} stamped both as maker and as checker: no one may move money alone", null, null);
        }

        return (ReceiveFailure.None, string.Empty, content, template);
    }

    private DeliveryAnswer ReceiveStatus(TransportMessage message)
    {
        var notice = StatusNotice.Open(message.Payload, message.From, signing, out var why);
        if (notice is null || notice.To != Party.ToString())
        {
            return Refuse(message, "status", Digest(message.Payload), ReceiveFailure.BadSignature, notice is null ? why : "the notice is addressed to another party");
        }

        using var session = BeginAlways();
        var applied = session.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM applied_notices WHERE message_id = @id", new { id = notice.MessageId }, session.Transaction);
        if (applied > 0)
        {
            return DeliveryAnswer.Accepted; // A repeat: already applied once.
        }

        var voucher = session.Connection.QueryFirstOrDefault<StoredVoucher>(
            $"{SelectVoucher} WHERE origin = 'own' AND sender = @sender AND adm_div_code = @adm AND st_year = @year AND vt_code = @vt AND voucher_no = @no AND version = @version",
            new { sender = Party.ToString(), adm = notice.AdmDivCode, year = notice.StYear, vt = notice.VtCode, no = notice.VoucherNo, version = notice.Version },
            session.Transaction);
        if (voucher is null && RecoveringSince is not null && message.Sequence > 0)
        {
            // Recovering: the voucher is one this node made after its backup and makes again in this recovery; the notice is
            // kept, and applied when the voucher is made again (TakeReplayedVoucher), in the order its sender numbered it.
            session.Audit(message.From.ToString(), "status-held", notice.MessageId, "for an own voucher not made again yet; applied once it is");
            Keep(session, message);
            session.Commit();
            return DeliveryAnswer.Accepted;
        }

        if (voucher is not null)
        {
            ApplyMove(session, voucher, message.From, VoucherLifecycle.ActionFor((ReceiverState)notice.Status), notice.Reason);
        }
        else
        {
            session.Audit(message.From.ToString(), "status-unknown-voucher", notice.MessageId, "no such own voucher; ignored");
        }

        session.Connection.Execute("INSERT INTO applied_notices (message_id, applied_at) VALUES (@id, @now)", new { id = notice.MessageId, now = session.NowText }, session.Transaction);
        Keep(session, message);
        session.Commit();
        return DeliveryAnswer.Accepted;
    }

    /// <summary>Moves the status of an own voucher at one receiver; a move the table forbids is audited and ignored (a late or repeated notice).</summary>
    private static void ApplyMove(LibrarySession session, StoredVoucher voucher, PartyId receiver, VoucherAction action, string? reason)
    {
        var current = session.Connection.QueryFirstOrDefault<long?>(
            "SELECT status FROM deliveries WHERE voucher_id = @id AND receiver = @receiver", new { id = voucher.Id, receiver = receiver.ToString() }, session.Transaction);
        if (current is null)
        {
            session.Audit(receiver.ToString(), "status-ignored", voucher.Key.ToString(), $"{action}: {receiver} is not a receiver of this voucher");
            return;
        }

        var next = Move((VoucherStatus)current.Value, action);
        if (next is null)
        {
            session.Audit(receiver.ToString(), "status-ignored", voucher.Key.ToString(), $"{action} is not legal from {(VoucherStatus)current.Value}");
            return;
        }

        SetDelivery(session, voucher.Id, receiver.ToString(), next.Value, reason);
        session.Audit(receiver.ToString(), "status", voucher.Key.ToString(), $"{(int)next.Value} {next.Value}{(reason is null ? string.Empty : ": " + reason)}");
    }

    private DeliveryAnswer Refuse(TransportMessage message, string subject, string digest, ReceiveFailure code, string reason)
    {
        using var session = BeginAlways();
        return Refuse(session, message, subject, digest, code, reason);
    }

    private static DeliveryAnswer Refuse(LibrarySession session, TransportMessage message, string subject, string digest, ReceiveFailure code, string reason)
    {
        session.Connection.Execute(
            "INSERT INTO rejected_messages (sender, subject, digest, code, reason, received_at) VALUES (@sender, @subject, @digest, @code, @reason, @now)",
            new { sender = message.From.ToString(), subject, digest, code = code.ToString(), reason, now = session.NowText },
            session.Transaction);
        session.Audit(message.From.ToString(), "receive-failed", subject, $"{code}: {reason}");
        Keep(session, message);
        session.Commit();
        return new DeliveryAnswer(VoucherStatus.ReceiveFailed, $"{code}: {reason}");
    }

    /// <summary>
    /// Keeps a numbered message as it came, in the transaction that answers it (ADR 0016): a peer restored from a backup
    /// asks for its own messages back from here. A repeat of a number kept already changes nothing.
    /// </summary>
    private static void Keep(LibrarySession session, TransportMessage message)
    {
        if (message.Sequence <= 0 || message.Kind is not (MessageKind.Voucher or MessageKind.Status))
        {
            return;
        }

        session.Connection.Execute(
            """
            INSERT INTO received_messages (sender, seq, message_id, kind, payload, received_at) VALUES (@sender, @seq, @id, @kind, @payload, @now)
            ON CONFLICT DO NOTHING
            """,
            new { sender = message.From.ToString(), seq = message.Sequence, id = message.MessageId, kind = message.Kind == MessageKind.Voucher ? "voucher" : "status", payload = message.Payload, now = session.NowText },
            session.Transaction);
    }

    private static Dictionary<string, object> InboxKey(PartyId from, VoucherBody body) => new(StringComparer.Ordinal)
    {
        ["sender"] = from.ToString(),
        ["adm"] = body.Key.AdmDivCode.Value,
        ["year"] = body.Key.StYear.Value,
        ["vt"] = body.Key.VtCode.Value,
        ["no"] = body.Key.VoucherNo.Value,
        ["version"] = body.Version,
    };

    private sealed record InboxRow(string Digest, long Status, string? Reason);
}

internal static class DynamicParametersExtensions
{
    public static DynamicParameters With(this DynamicParameters parameters, string name, object? value)
    {
        parameters.Add(name, value);
        return parameters;
    }
}
