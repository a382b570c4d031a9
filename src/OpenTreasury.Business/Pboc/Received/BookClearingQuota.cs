using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Pboc.Received;

/// <summary>
/// 5106 财政授权支付汇总清算额度通知单: the bank's clearing quota per unit × class grows; the 回单 tells
/// Finance it was booked.
/// </summary>
internal static class BookClearingQuota
{
    public static LibraryResult Handle(PbocShift shift, LibrarySession session, StoredVoucher notice)
    {
        var (library, bookkeeper, reviewer, businessDate) = (shift.Pboc.Library, shift.Bookkeeper, shift.Reviewer, shift.BusinessDate);
        var content = notice.Content;
        var bank = content["PayBankCode"]!;
        {
            foreach (var detail in content.Details)
            {
                session.Connection.Execute(
                    """
                    INSERT INTO pboc_clearing_quotas (bank_code, adm_div_code, st_year, agency_code, exp_func_code, issued_fen) VALUES (@bank, @adm, @year, @agency, @func, @fen)
                    ON CONFLICT (bank_code, adm_div_code, st_year, agency_code, exp_func_code) DO UPDATE SET issued_fen = pboc_clearing_quotas.issued_fen + excluded.issued_fen
                    """,
                    new { bank, adm = notice.AdmDivCode, year = notice.StYear, agency = detail["AgencyCode"], func = detail["ExpFuncCode"], fen = Amount.ParseWire(detail["PlanAmt"]!).Fen },
                    session.Transaction);
            }

            return library.Reply(session, notice.Id, bookkeeper, reviewer, v => v.With("XAcceptDate", PbocContext.Date(businessDate)), []);
        }
    }
}
