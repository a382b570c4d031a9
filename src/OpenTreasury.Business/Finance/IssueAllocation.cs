using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Finance;

/// <summary>
/// 实拨: Finance enters (cz_lr) and approves (cz_sh) a 5207 实拨拨款凭证 to PBOC, which pays it from the
/// treasury single account and answers with its 回单, or returns (退回) it when the payment failed.
/// </summary>
internal static class IssueAllocation
{
    /// <summary>Enters, approves and sends a 5207 to PBOC in one transaction; a rerun carries on, never makes it twice.</summary>
    public static LibraryResult Handle(FinanceContext finance, AllocationOrder order, DateOnly vouDate)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Lines.Count == 0)
        {
            return LibraryResult.Refused(LibraryRejection.InvalidVoucher, $"the allocation {order.VoucherNo} has no lines");
        }

        var (entry, approval) = finance.LogInShift(FinanceAllocations.DivisionOf(finance, order).AdmDivCode);
        using var session = finance.Library.Begin();
        var result = FinanceAllocations.NumberTakenElsewhere(finance, session, order)
            ?? finance.Library.Issue(session, FinanceAllocations.Voucher(finance, order, vouDate), [PartyId.Pboc], entry, approval);
        finance.Library.Finish(session, result);
        return result;
    }
}
