using Dapper;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.People;

namespace OpenTreasury.Node.Library;

/// <summary>An own voucher taken to paper for one receiver under the emergency plan (应急纸质).</summary>
public sealed record EmergencyPaper
{
    public long VoucherId { get; init; }

    public required string VtCode { get; init; }

    public required string VoucherNo { get; init; }

    public required string AgencyCode { get; init; }

    public long? AmountFen { get; init; }

    public required string Receiver { get; init; }

    public required string Reason { get; init; }

    public required string MadeBy { get; init; }

    public required string ApprovedBy { get; init; }

    public required string MadeAt { get; init; }
}

public sealed partial class VoucherLibrary
{
    /// <summary>What every print of a voucher taken to paper says, and the audit operation that takes it there.</summary>
    public const string EmergencyPaperMark = "应急纸质";

    /// <summary>What the emergency plan takes to paper: the 财政授权支付凭证, which the bank's counter registers against the unit's quota.</summary>
    public const string PaperVtCode = "8202";

    /// <summary>
    /// Takes an own 8202 to paper for <paramref name="receiver"/> (应急预案: the link is down and the money must move):
    /// its messages to that receiver that have not been delivered are withdrawn — parked and marked discarded, so no
    /// worker and no retry ever sends them — and the voucher is marked, so every later print says 应急纸质. Only while
    /// the receiver has not received it (未发送 or 已发送未接收) and its message is still undelivered; by two people:
    /// <paramref name="maker"/> asks, <paramref name="checker"/> (another person) approves. The receiver then takes the
    /// printed voucher at the counter; its number is paid once, on paper or electronically, never both.
    /// </summary>
    public LibraryResult TakeToPaper(LibrarySession session, long id, PartyId receiver, Signer maker, Signer checker, string reason)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(maker);
        ArgumentNullException.ThrowIfNull(checker);

        // Load: the voucher, its status at the receiver, its undelivered messages there, an earlier paper.
        var voucher = Find(session, id);
        if (voucher is null || voucher.Origin != "own" || voucher.IsReply)
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no own voucher {id} at {Party}");
        }

        var subject = voucher.Key.ToString();
        var status = session.Connection.ExecuteScalar<long?>(
            "SELECT status FROM deliveries WHERE voucher_id = @id AND receiver = @receiver", new { id, receiver = receiver.ToString() }, session.Transaction);
        var undelivered = session.Connection.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM outbox WHERE voucher_id = @id AND receiver = @receiver AND kind = 'voucher' AND delivered_at IS NULL AND discarded_at IS NULL",
            new { id, receiver = receiver.ToString() }, session.Transaction);
        var before = session.Connection.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM emergency_paper WHERE voucher_id = @id AND receiver = @receiver", new { id, receiver = receiver.ToString() }, session.Transaction);

        // Decide.
        if (before > 0)
        {
            return LibraryResult.Done(id, $"{subject} 已按应急纸质办理"); // A rerun: taken to paper once.
        }

        if (voucher.VtCode != PaperVtCode)
        {
            return LibraryResult.Refused(LibraryRejection.InvalidVoucher, $"{subject}: only an {PaperVtCode} 财政授权支付凭证 is taken to paper (the bank's counter registers it against the unit's quota)", id);
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Length > Limits.ReasonLengthMax)
        {
            return LibraryResult.Refused(LibraryRejection.ReasonRequired, $"taking a voucher to paper needs a reason of 1–{Limits.ReasonLengthMax} characters", id);
        }

        if (string.Equals(maker.UserId, checker.UserId, StringComparison.Ordinal))
        {
            session.AuditRefusal(maker.UserId, "emergency-paper-refused", subject, $"{LibraryRejection.SameMakerAndChecker}: asked and approved by the same person");
            return LibraryResult.Refused(LibraryRejection.SameMakerAndChecker, $"{subject}: another person than {maker.UserId} must approve taking it to paper (录入与审核不得为同一人)", id);
        }

        if (!UserExists(session, maker.UserId) || !UserExists(session, checker.UserId))
        {
            return LibraryResult.Refused(LibraryRejection.UnknownUser, $"no user '{maker.UserId}' or '{checker.UserId}' at {Party}", id);
        }

        // The maker may read the voucher; the checker's post manages the outbox (it withdraws a message), each within their unit.
        foreach (var (person, action) in new[] { (maker, NodeAction.ReadVouchers), (checker, NodeAction.ManageMessages) })
        {
            var refused = Authorization.Check(person.Actor, action, Party, voucher.Scope);
            if (refused != AuthorizationRejection.None)
            {
                session.AuditRefusal(person.UserId, "emergency-paper-refused", subject, $"{refused} ({(int)refused}): post {person.Post} may not {action}");
                return LibraryResult.Refused(LibraryRejection.PostMayNot, $"{person.UserId} ({person.Post}) may not {action} for {subject}: {refused}", id);
            }
        }

        if (voucher.State == "voided" || status is not ((long)VoucherStatus.NotSent or (long)VoucherStatus.Sent) || undelivered == 0)
        {
            var where = status is { } s ? $"{(VoucherStatus)s} at {receiver}" : $"not addressed to {receiver}";
            session.AuditRefusal(maker.UserId, "emergency-paper-refused", subject, $"{LibraryRejection.IllegalTransition}: {voucher.State}, {where}, {undelivered} undelivered message(s)");
            return LibraryResult.Refused(LibraryRejection.IllegalTransition,
                $"{subject} is {voucher.State}, {where}, with {undelivered} undelivered message(s); only a voucher stuck on its way is taken to paper", id);
        }

        // Record: withdraw the messages and mark the voucher, in one transaction.
        session.Connection.Execute(
            """
            UPDATE outbox SET parked = 1, discarded_at = @now, discarded_reason = @why
            WHERE voucher_id = @id AND receiver = @receiver AND kind = 'voucher' AND delivered_at IS NULL AND discarded_at IS NULL
            """,
            new { id, receiver = receiver.ToString(), now = session.NowText, why = $"{EmergencyPaperMark}: {reason}" }, session.Transaction);
        session.Connection.Execute(
            """
            INSERT INTO emergency_paper (voucher_id, receiver, reason, made_by, approved_by, made_at)
            VALUES (@id, @receiver, @reason, @maker, @checker, @now)
            """,
            new { id, receiver = receiver.ToString(), reason, maker = maker.UserId, checker = checker.UserId, now = session.NowText }, session.Transaction);
        session.Audit(maker.UserId, "emergency-paper", subject, $"for {receiver}, {undelivered} message(s) withdrawn, approved by {checker.UserId}: {reason}");
        return LibraryResult.Done(id, $"{subject} 已转应急纸质办理（{receiver}）");
    }

    /// <summary>The vouchers this node took to paper, oldest first.</summary>
    public IReadOnlyList<EmergencyPaper> EmergencyPapers()
    {
        using var connection = database.Connect();
        return [.. connection.Query<EmergencyPaper>(
            """
            SELECT p.voucher_id AS VoucherId, v.vt_code AS VtCode, v.voucher_no AS VoucherNo, COALESCE(v.agency_code, '') AS AgencyCode,
                   v.amount_fen AS AmountFen, p.receiver AS Receiver, p.reason AS Reason, p.made_by AS MadeBy, p.approved_by AS ApprovedBy,
                   p.made_at AS MadeAt
            FROM emergency_paper p JOIN vouchers v ON v.id = p.voucher_id
            ORDER BY p.made_at, p.voucher_id, p.receiver
            """)];
    }

    /// <summary>Whether a voucher was taken to paper for any receiver (its prints then say 应急纸质).</summary>
    private static bool IsOnEmergencyPaper(LibrarySession session, long id) =>
        session.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM emergency_paper WHERE voucher_id = @id", new { id }, session.Transaction) > 0;
}
