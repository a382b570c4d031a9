using Dapper;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.People;
using OpenTreasury.Wire;

namespace OpenTreasury.Node.Library;

public sealed partial class VoucherLibrary
{
    /// <summary>
    /// Enters, stamps, approves and sends a voucher within the caller's transaction: the maker enters it
    /// and puts on their personal seal; the checker, another person, approves it and puts on theirs and
    /// the institution's public seals; then it is sent. When the voucher already exists with the same
    /// content (a rerun after a crash, or a caller repeating its request under the same number, which is
    /// its idempotency key) it is carried on from where it stopped, never made twice; under the same
    /// number with other content it is refused (<see cref="LibraryRejection.DuplicateVoucherNo"/>).
    /// </summary>
    public LibraryResult Issue(LibrarySession session, Voucher voucher, IReadOnlyList<PartyId> receivers, Signer maker, Signer checker, string attach = "")
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(voucher);
        ArgumentNullException.ThrowIfNull(maker);
        var existing = FindOwn(session, voucher.Key);
        long id;
        if (existing is null)
        {
            var created = CreateDraft(session, voucher, receivers, maker.UserId, attach);
            if (!created.Ok)
            {
                return created;
            }

            id = created.VoucherId;
        }
        else if (!existing.InnerXml.AsSpan().SequenceEqual(VoucherXml.Write(voucher)))
        {
            return LibraryResult.Refused(LibraryRejection.DuplicateVoucherNo,
                $"{voucher.Key} already exists at {Party} with other content; a new voucher needs a new number", existing.Id);
        }
        else
        {
            id = existing.Id;
        }

        return Complete(session, id, maker, checker);
    }

    /// <summary>Carries an own voucher on to sent, as far as needed: maker's seal, approval, checker's and public seals, send.</summary>
    public LibraryResult Complete(LibrarySession session, long id, Signer maker, Signer checker)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(maker);
        ArgumentNullException.ThrowIfNull(checker);
        var voucher = Find(session, id);
        if (voucher is null)
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no voucher {id} at {Party}");
        }

        if (voucher.State == "draft")
        {
            var steps = StampAll(session, id, StampRole.Maker, maker);
            steps = steps.Ok ? Approve(session, id, checker.UserId) : steps;
            if (!steps.Ok)
            {
                return steps;
            }
        }

        if (StateOf(session, id) == "approved")
        {
            var stamped = StampAll(session, id, StampRole.Checker, checker);
            stamped = stamped.Ok ? StampAll(session, id, StampRole.Institution, checker) : stamped;
            if (!stamped.Ok)
            {
                return stamped;
            }
        }

        return StateOf(session, id) == "signed" ? Send(session, id) : LibraryResult.Done(id);
    }

    /// <summary>The state of a stored voucher, read without its bytes (a payroll's are megabytes).</summary>
    private static string StateOf(LibrarySession session, long id) =>
        session.Connection.ExecuteScalar<string>("SELECT state FROM vouchers WHERE id = @id", new { id }, session.Transaction)
            ?? throw new InvalidOperationException($"voucher {id} vanished inside its own transaction");
}
