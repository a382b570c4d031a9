using Dapper;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Bank.Received;

/// <summary>
/// PBOC's 回单 of a 2301 申请划款凭证: the payments it covers are cleared, the authorized ones (PayTypeCode 12)
/// in <c>bank_payments</c>, the direct ones (11) in <c>bank_direct_payments</c>.
/// </summary>
internal static class RecordClearing
{
    public static LibraryResult Handle(BankShift shift, LibrarySession session, StoredVoucher receipt)
    {
        // Load and decide: the pay type says which payments the 回单 covers.
        var content = receipt.Content;
        var sql = content["PayTypeCode"] == BankDesk.DirectPayType
            ? "UPDATE bank_direct_payments SET cleared_date = @date WHERE clearing_voucher_no = @no"
            : "UPDATE bank_payments SET cleared_date = @date WHERE clearing_voucher_no = @no";
        // Record.
        session.Connection.Execute(
            sql,
            new { date = content["XClearDate"], no = receipt.VoucherNo }, session.Transaction);
        return shift.Bank.Library.SignFor(session, receipt.Id, shift.Bank.Clerk);
    }
}
