using Dapper;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Finance;

/// <summary>Voids (作废) a 5207 PBOC returned, keeping PBOC's reason in the void's.</summary>
internal static class VoidAllocation
{
    /// <summary>Voids (作废) a 5207 PBOC returned, keeping PBOC's reason in the void's.</summary>
    public static LibraryResult Handle(FinanceContext finance, string voucherNo, string reason)
    {
        using var session = finance.Library.Begin();
        var result = VoidReturned(finance, session, voucherNo, reason);
        finance.Library.Finish(session, result);
        return result;
    }

    /// <summary>Voids the returned 5207 in the caller's transaction.</summary>
    public static LibraryResult VoidReturned(FinanceContext finance, LibrarySession session, string voucherNo, string reason)
    {
        var voucher = FinanceAllocations.Own(finance, session, voucherNo);
        if (voucher is null)
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no 5207 {voucherNo} issued by {finance.Library.Party}");
        }

        var pboc = session.Connection.QuerySingleOrDefault<(long Status, string? Reason)>(
            "SELECT status, reason FROM deliveries WHERE voucher_id = @id AND receiver = @receiver",
            new { id = voucher.Id, receiver = PartyId.Pboc.ToString() }, session.Transaction);
        if (pboc.Status != (long)VoucherStatus.Returned)
        {
            return LibraryResult.Refused(LibraryRejection.IllegalTransition,
                $"5207 {voucherNo} is {pboc.Status} at PBOC; only an allocation PBOC returned is voided here", voucher.Id);
        }

        return finance.Library.Void(session, voucher.Id, finance.ShiftOf(voucher.AdmDivCode).Approval, FinanceAllocations.Reason($"人民银行退回: {pboc.Reason}; 作废: {reason}"));
    }
}
