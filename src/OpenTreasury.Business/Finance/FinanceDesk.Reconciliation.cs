using OpenTreasury.Business.Statements;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Finance;

/// <summary>
/// 凭证对账 at Finance: PBOC's 3501 (per voucher type) and 4004 (per day) are checked against what
/// Finance's library sent to and received from PBOC that day, the result kept, and the statement signed for.
/// </summary>
public sealed partial class FinanceDesk
{
    /// <summary>The voucher statements from PBOC checked so far, optionally of one day (their CheckDate).</summary>
    public IReadOnlyList<StatementCheck> VoucherReconciliations(DateOnly? date = null) => VoucherStatements.Read(library, date);

    /// <summary>3501/4004: compare with the own library, record the result, sign for the statement.</summary>
    private LibraryResult CheckVoucherStatement(LibrarySession session, StoredVoucher statement) =>
        VoucherStatements.Check(library, session, statement, Entry);
}
