using OpenTreasury.Business.Statements;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Bank.Received;

/// <summary>
/// 凭证对账: PBOC's 3502 (per voucher type) and 4005 (per day) are checked against what the bank's library
/// sent to and received from PBOC that day, the result kept, and the statement signed for.
/// </summary>
internal static class CheckVoucherStatement
{
    public static LibraryResult Handle(BankShift shift, LibrarySession session, StoredVoucher statement) =>
        VoucherStatements.Check(shift.Bank.Library, session, statement, shift.Bank.Clerk);
}
