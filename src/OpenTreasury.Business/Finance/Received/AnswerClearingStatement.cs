using Dapper;
using OpenTreasury.Business.Statements;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Finance.Received;

/// <summary>
/// 清算信息对账 at Finance: PBOC's 3507 is checked line by line against the 2301 回单 PBOC passed on to
/// Finance, and answered with a 5507 entered by cz_lr and approved by cz_sh, in the transaction that signs for it.
/// </summary>
internal static class AnswerClearingStatement
{
    public static LibraryResult Handle(FinanceShift shift, LibrarySession session, StoredVoucher statement)
    {
        var ids = session.Connection.Query<long>(
            """
            SELECT v.id FROM vouchers v
            WHERE v.origin = 'received' AND v.flag = 1 AND v.vt_code = '2301' AND v.sender = @pboc
              AND v.version = (SELECT MAX(x.version) FROM vouchers x WHERE x.origin = 'received' AND x.flag = 1 AND x.sender = v.sender
                               AND x.adm_div_code = v.adm_div_code AND x.st_year = v.st_year AND x.vt_code = v.vt_code AND x.voucher_no = v.voucher_no)
            ORDER BY v.id
            """,
            new { pboc = PartyId.Pboc.ToString() }, session.Transaction);
        var ours = new List<ClearedLine>();
        foreach (var id in ids)
        {
            var receipt = VoucherLibrary.Find(session, id)!.Content;
            var bank = shift.Finance.Master.Banks.FirstOrDefault(b => b.BankNo == receipt["PayBankNo"])?.BankCode ?? string.Empty;
            ours.AddRange(ClearingStatements.LinesOf(receipt, bank));
        }

        var (entry, approval) = shift.For(statement.AdmDivCode);
        return ClearingStatements.Answer(shift.Finance.Library, session, statement, ours, "5507", entry, approval);
    }
}
