using Dapper;
using OpenTreasury.Domain.Clearing;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Pboc;

/// <summary>
/// 直接支付 at PBOC: books each bank's direct-payment clearing quota from Finance's 5108 (a ledger of its
/// own, apart from the 5106 one) and answers with the 回单; matches each 2301 of PayTypeCode 11 against
/// that quota only, clears it from the treasury single account and sends the 回单 to the bank and to
/// Finance, or returns (退回) it with the reason.
/// </summary>
public sealed partial class PbocDesk
{
    /// <summary>PayTypeCode of 直接支付 on a 2301 (12 is 授权支付).</summary>
    public const string DirectPayType = "11";

    /// <summary>5108: the bank's direct-payment clearing quota per unit × class grows; the 回单 tells Finance it was booked.</summary>
    private LibraryResult BookDirectClearingQuota(LibrarySession session, StoredVoucher notice, DateOnly businessDate, Signer bookkeeper, Signer reviewer)
    {
        var content = notice.Content;
        var bank = content["PayBankCode"];
        if (!master.Banks.Any(b => b.BankCode == bank))
        {
            return library.Refuse(session, notice.Id, Bookkeeper, $"直接支付汇总清算额度通知单的代理银行 {bank} 不在本国库的代理银行中");
        }

        if (content.Details.FirstOrDefault(d => string.IsNullOrEmpty(d["AgencyCode"])) is not null)
        {
            return library.Refuse(session, notice.Id, Bookkeeper, "直接支付汇总清算额度通知单的明细缺少基层预算单位编码 (AgencyCode)");
        }

        foreach (var detail in content.Details)
        {
            session.Connection.Execute(
                """
                INSERT INTO pboc_direct_clearing_quotas (bank_code, adm_div_code, st_year, agency_code, exp_func_code, issued_fen) VALUES (@bank, @adm, @year, @agency, @func, @fen)
                ON CONFLICT (bank_code, adm_div_code, st_year, agency_code, exp_func_code) DO UPDATE SET issued_fen = issued_fen + excluded.issued_fen
                """,
                new { bank, adm = notice.AdmDivCode, year = notice.StYear, agency = detail["AgencyCode"], func = detail["ExpFuncCode"], fen = Amount.ParseWire(detail["PayAmt"]!).Fen },
                session.Transaction);
        }

        return library.Reply(session, notice.Id, bookkeeper, reviewer, v => v.With("XAcceptDate", Date(businessDate)), []);
    }
}
