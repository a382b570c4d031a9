using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Finance;

/// <summary>
/// A returned 5207 reissued under a new number (voided first if it is not yet), optionally to a corrected
/// payee; the two are linked so the chain can be read from either end.
/// </summary>
internal static class ReissueAllocation
{
    /// <summary>
    /// Reissues a returned 5207 under <paramref name="newVoucherNo"/> (voiding it first if it is not yet),
    /// optionally to a corrected payee, and links the two in the same transaction. Asked again with the
    /// same numbers it carries the reissue on; a voucher already reissued under another number is refused.
    /// </summary>
    public static LibraryResult Handle(FinanceContext finance, string returnedVoucherNo, string newVoucherNo, DateOnly vouDate, Payee? payee, string? reason)
    {
        // The division's people reissue it, logged in before the transaction as every outbound use case.
        var (entry, approval) = finance.LogInShift(FinanceAllocations.Own(finance, returnedVoucherNo)?.AdmDivCode ?? finance.Master.AdmDivCode);
        using var session = finance.Library.Begin();
        var result = Reissue(finance, session, returnedVoucherNo, newVoucherNo, vouDate, payee, reason, entry, approval);
        finance.Library.Finish(session, result);
        return result;
    }

    private static LibraryResult Reissue(FinanceContext finance, LibrarySession session, string returnedVoucherNo, string newVoucherNo, DateOnly vouDate, Payee? payee, string? reason, Signer entry, Signer approval)
    {
        var old = FinanceAllocations.Own(finance, session, returnedVoucherNo);
        if (old is null)
        {
            return LibraryResult.Refused(LibraryRejection.NotFound, $"no 5207 {returnedVoucherNo} issued by {finance.Library.Party}");
        }

        if (VoucherLibrary.ReissuedAs(session, old.Id) is { } already)
        {
            var earlier = VoucherLibrary.Find(session, already)!;
            return earlier.VoucherNo == newVoucherNo
                ? finance.Library.Complete(session, earlier.Id, entry, approval)
                : LibraryResult.Refused(LibraryRejection.IllegalTransition, $"5207 {returnedVoucherNo} was already reissued as {earlier.VoucherNo}", old.Id);
        }

        if (old.State != "voided")
        {
            var voided = VoidAllocation.VoidReturned(finance, session, returnedVoucherNo, reason ?? "重新开具");
            if (!voided.Ok)
            {
                return voided;
            }
        }

        var content = old.Content;
        var order = new AllocationOrder(
            newVoucherNo,
            payee ?? new Payee(content["PayeeAcctNo"]!, content["PayeeAcctName"]!, content["PayeeAcctBankName"] ?? string.Empty, content["PayeeAcctBankNo"] ?? string.Empty),
            [.. content.Details.Select(d => new AllocationLine(d["AgencyCode"]!, d["ExpFuncCode"]!, Amount.ParseWire(d["PayAmt"]!)))],
            content["PaySummaryName"] ?? string.Empty);
        var issued = FinanceAllocations.NumberTakenElsewhere(finance, session, order)
            ?? finance.Library.Issue(session, FinanceAllocations.Voucher(finance, order, vouDate), [PartyId.Pboc], entry, approval, $"重开 {returnedVoucherNo}");
        if (!issued.Ok)
        {
            return issued;
        }

        VoucherLibrary.Link(session, old.Id, issued.VoucherId, VoucherLibrary.ReissueLink);
        session.Audit(approval.UserId, "reissue", $"5207/{returnedVoucherNo}", $"reissued as {newVoucherNo}");
        return issued;
    }
}
