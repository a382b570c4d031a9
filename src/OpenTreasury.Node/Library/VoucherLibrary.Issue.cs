using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Node.Library;

public sealed partial class VoucherLibrary
{
    /// <summary>
    /// Enters, approves, signs and sends a voucher within the caller's transaction: the maker and the
    /// checker are two different people, as the seed requires. When the voucher already exists (a
    /// rerun after a crash) it is carried on from the state it reached, never made twice.
    /// </summary>
    public LibraryResult Issue(LibrarySession session, Voucher voucher, IReadOnlyList<PartyId> receivers, string maker, string checker, string attach = "")
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(voucher);
        var existing = FindOwn(session, voucher.Key);
        long id;
        if (existing is null)
        {
            var created = CreateDraft(session, voucher, receivers, maker, attach);
            if (!created.Ok)
            {
                return created;
            }

            id = created.VoucherId;
        }
        else
        {
            id = existing.Id;
        }

        return Advance(session, id, checker);
    }

    /// <summary>Carries an own voucher on to sent: approve (by <paramref name="checker"/>), sign, send, as far as needed.</summary>
    public LibraryResult Advance(LibrarySession session, long id, string checker)
    {
        ArgumentNullException.ThrowIfNull(session);
        var voucher = Find(session, id);
        if (voucher is null)
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no voucher {id} at {Party}");
        }

        if (voucher.State == "draft")
        {
            var approved = Approve(session, id, checker);
            if (!approved.Ok)
            {
                return approved;
            }
        }

        if (Find(session, id)!.State == "approved")
        {
            var signed = Sign(session, id);
            if (!signed.Ok)
            {
                return signed;
            }
        }

        return Find(session, id)!.State == "signed" ? Send(session, id) : LibraryResult.Done(id);
    }
}
