using Dapper;
using OpenTreasury.Business.Statements;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Bank.Received;

/// <summary>
/// 清算信息对账: PBOC's 3507 is checked line by line against the bank's own 2301s that PBOC answered with a
/// 回单, and answered with a 2507 entered by the clerk (经办) and approved by the reviewer (复核), in the
/// transaction that signs for it.
/// </summary>
internal static class AnswerClearingStatement
{
    public static LibraryResult Handle(BankShift shift, LibrarySession session, StoredVoucher statement)
    {
        // Load: the own 2301s (their latest version) PBOC has answered.
        var ids = session.Connection.Query<long>(
            """
            SELECT v.id FROM vouchers v
            WHERE v.origin = 'own' AND v.flag = 0 AND v.vt_code = '2301'
              AND v.version = (SELECT MAX(x.version) FROM vouchers x WHERE x.origin = 'own' AND x.flag = 0
                               AND x.adm_div_code = v.adm_div_code AND x.st_year = v.st_year AND x.vt_code = v.vt_code AND x.voucher_no = v.voucher_no)
              AND EXISTS (SELECT 1 FROM vouchers r WHERE r.origin = 'received' AND r.flag = 1 AND r.sender = @pboc
                          AND r.adm_div_code = v.adm_div_code AND r.st_year = v.st_year AND r.vt_code = v.vt_code AND r.voucher_no = v.voucher_no)
            ORDER BY v.id
            """,
            new { pboc = PartyId.Pboc.ToString() }, session.Transaction);
        var ours = new List<ClearedLine>();
        foreach (var id in ids)
        {
            ours.AddRange(ClearingStatements.LinesOf(VoucherLibrary.Find(session, id)!.Content, shift.Bank.Bank.BankCode));
        }

        // Decide and record: the shared check compares, answers with the 2507 and signs for the 3507.
        return ClearingStatements.Answer(shift.Bank.Library, session, statement, ours, "2507", shift.Clerk, shift.Reviewer);
    }
}
