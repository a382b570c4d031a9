using Dapper;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.People;

namespace OpenTreasury.Node.Library;

public sealed partial class VoucherLibrary
{
    /// <summary>
    /// Restores (恢复, seed 五.1 凭证作废及恢复管理) an own voucher voided by mistake: its state and its status at each
    /// receiver go back to what the void recorded, provided every one of those is a status the lifecycle table voids
    /// from (<see cref="VoucherLifecycle.TryRestore"/>). Two people: <paramref name="maker"/> asks, <paramref name="checker"/>
    /// (another person) approves. A voucher reissued under a new number is not restored: the reissue stands.
    /// </summary>
    public LibraryResult Restore(LibrarySession session, long id, Signer maker, Signer checker, string reason)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(maker);
        ArgumentNullException.ThrowIfNull(checker);
        var voucher = Find(session, id);
        if (voucher is null || voucher.Origin != "own" || voucher.IsReply)
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no own voucher {id} at {Party}");
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Length > Limits.ReasonLengthMax)
        {
            return LibraryResult.Refused(LibraryRejection.ReasonRequired, $"a restore needs a reason of 1–{Limits.ReasonLengthMax} characters", id);
        }

        if (string.Equals(maker.UserId, checker.UserId, StringComparison.Ordinal))
        {
            session.AuditRefusal(maker.UserId, "restore-refused", voucher.Key.ToString(), $"{LibraryRejection.SameMakerAndChecker}: asked and approved by the same person");
            return LibraryResult.Refused(LibraryRejection.SameMakerAndChecker, $"{voucher.Key}: another person than {maker.UserId} must approve the restore (录入与审核不得为同一人)", id);
        }

        if (!UserExists(session, maker.UserId) || !UserExists(session, checker.UserId))
        {
            return LibraryResult.Refused(LibraryRejection.UnknownUser, $"no user '{maker.UserId}' or '{checker.UserId}' at {Party}", id);
        }

        if (voucher.State != "voided")
        {
            return LibraryResult.Refused(LibraryRejection.IllegalTransition, $"{voucher.Key} is {voucher.State}; only a voided voucher is restored", id);
        }

        if (ReissuedAs(session, id) is { } reissued)
        {
            session.AuditRefusal(maker.UserId, "restore-refused", voucher.Key.ToString(), $"{LibraryRejection.Reissued}: reissued as voucher {reissued}");
            return LibraryResult.Refused(LibraryRejection.Reissued, $"{voucher.Key} was reissued as {Find(session, reissued)?.VoucherNo}; the reissue stands", id);
        }

        var state = session.Connection.ExecuteScalar<string?>("SELECT voided_from FROM vouchers WHERE id = @id", new { id }, session.Transaction);
        var deliveries = session.Connection.Query<(string Receiver, long? VoidedFrom)>(
            "SELECT receiver, voided_from FROM deliveries WHERE voucher_id = @id ORDER BY receiver", new { id }, session.Transaction).ToList();
        if (state is null || deliveries.Any(d => d.VoidedFrom is not { } from || VoucherLifecycle.TryRestore((VoucherStatus)from) != LifecycleRejection.None))
        {
            return LibraryResult.Refused(LibraryRejection.IllegalTransition,
                $"{voucher.Key} was voided before voids recorded what they voided from, or from a status no void leaves; it cannot be restored", id);
        }

        foreach (var (receiver, from) in deliveries)
        {
            session.Connection.Execute(
                "UPDATE deliveries SET status = @status, voided_from = NULL, reason = @note, updated_at = @now WHERE voucher_id = @id AND receiver = @receiver",
                new { id, receiver, status = from!.Value, note = $"恢复: {reason}", now = session.NowText }, session.Transaction);
        }

        session.Connection.Execute(
            "UPDATE vouchers SET state = @state, voided_from = NULL, reason = @note, updated_at = @now WHERE id = @id",
            new { id, state, note = $"恢复: {reason}", now = session.NowText }, session.Transaction);
        session.Audit(maker.UserId, "restore", voucher.Key.ToString(),
            $"to {state} ({string.Join(",", deliveries.Select(d => $"{d.Receiver}:{d.VoidedFrom}"))}), approved by {checker.UserId}: {reason}");
        return LibraryResult.Done(id);
    }
}
