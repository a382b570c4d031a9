using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Pboc.Received;

/// <summary>
/// 5108 财政直接支付汇总清算额度通知单: books the bank's direct-payment clearing quota per unit × class (a
/// ledger of its own, apart from the 5106 one) and answers with the 回单.
/// </summary>
internal static class BookDirectClearingQuota
{
    public static LibraryResult Handle(PbocShift shift, LibrarySession session, StoredVoucher notice)
    {
        var (library, master, bookkeeper, reviewer, businessDate) = (shift.Pboc.Library, shift.Pboc.Master, shift.Bookkeeper, shift.Reviewer, shift.BusinessDate);
        var content = notice.Content;
        var bank = content["PayBankCode"];
        if (!master.Banks.Any(b => b.BankCode == bank))
        {
            return library.Refuse(session, notice.Id, PbocContext.Bookkeeper, PbocRejection.UnknownBank.Say($"直接支付汇总清算额度通知单的代理银行 {bank} 不在本国库的代理银行中"));
        }

        if (content.Details.FirstOrDefault(d => string.IsNullOrEmpty(d["AgencyCode"])) is not null)
        {
            return library.Refuse(session, notice.Id, PbocContext.Bookkeeper, PbocRejection.MissingAgencyCode.Say("直接支付汇总清算额度通知单的明细缺少基层预算单位编码 (AgencyCode)"));
        }

        foreach (var detail in content.Details)
        {
            session.Connection.Execute(
                """
                INSERT INTO pboc_direct_clearing_quotas (bank_code, adm_div_code, st_year, agency_code, exp_func_code, issued_fen) VALUES (@bank, @adm, @year, @agency, @func, @fen)
                ON CONFLICT (bank_code, adm_div_code, st_year, agency_code, exp_func_code) DO UPDATE SET issued_fen = pboc_direct_clearing_quotas.issued_fen + excluded.issued_fen
                """,
                new { bank, adm = notice.AdmDivCode, year = notice.StYear, agency = detail["AgencyCode"], func = detail["ExpFuncCode"], fen = Amount.ParseWire(detail["PayAmt"]!).Fen },
                session.Transaction);
        }

        return library.Reply(session, notice.Id, bookkeeper, reviewer, v => v.With("XAcceptDate", PbocContext.Date(businessDate)), []);
    }
}
