using OpenTreasury.Business.Statements;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Finance.Received;

/// <summary>
/// 凭证对账 at Finance: PBOC's 3501 (per voucher type) and 4004 (per day) are checked against what Finance's
/// library sent to and received from PBOC that day, the result kept, and the statement signed for.
/// </summary>
internal static class CheckVoucherStatement
{
    public static LibraryResult Handle(FinanceShift shift, LibrarySession session, StoredVoucher statement) =>
        VoucherStatements.Check(shift.Finance.Library, session, statement, shift.EntryOf(statement.AdmDivCode));
}
