using OpenTreasury.Business.Statements;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Bank;

/// <summary>
/// 凭证对账 at an agent bank: PBOC's 3502 (per voucher type) and 4005 (per day) are checked against what
/// the bank's library sent to and received from PBOC that day, the result kept, and the statement signed for.
/// </summary>
public sealed partial class BankDesk
{
    /// <summary>The voucher statements from PBOC checked so far, optionally of one day (their CheckDate).</summary>
    public IReadOnlyList<StatementCheck> VoucherReconciliations(DateOnly? date = null) => VoucherStatements.Read(library, date);

    /// <summary>3502/4005: compare with the own library, record the result, sign for the statement.</summary>
    private LibraryResult CheckVoucherStatement(LibrarySession session, StoredVoucher statement) =>
        VoucherStatements.Check(library, session, statement, Clerk);
}
