using Dapper;
using OpenTreasury.Domain.Clearing;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.People;

namespace OpenTreasury.Node.Pboc;

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

    /// <summary>2301 of PayTypeCode 11: match against the 5108 clearing quota (domain guide §5), then clear or return.</summary>
    private LibraryResult ClearDirect(LibrarySession session, StoredVoucher request, DateOnly businessDate, Signer bookkeeper, Signer reviewer)
    {
        var content = request.Content;
        var bankCode = request.SenderParty.Bank!.Value.Value;
        var bank = master.Bank(bankCode);
        var lines = content.Details
            .GroupBy(d => (Agency: d["AgencyCode"]!, Func: d["ExpFuncCode"]!))
            .Select(g =>
            {
                var quota = session.Connection.QueryFirstOrDefault<QuotaRow>(
                    "SELECT issued_fen AS IssuedFen, cleared_fen AS ClearedFen FROM pboc_direct_clearing_quotas WHERE bank_code = @bank AND adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func",
                    new { bank = bankCode, adm = request.AdmDivCode, year = request.StYear, agency = g.Key.Agency, func = g.Key.Func }, session.Transaction);
                return new ClearingLine(g.Key.Agency, g.Key.Func, Amount.Sum(g.Select(d => Amount.ParseWire(d["PayAmt"]!))),
                    new Amount(quota?.IssuedFen ?? 0), new Amount(quota?.ClearedFen ?? 0));
            })
            .ToList();
        var total = Amount.ParseWire(content["PayAmt"]!);
        var (rejection, reason) = content["PayBankNo"] != bank.BankNo
            ? (ClearingRejection.WrongBank, $"代理银行行号 {content["PayBankNo"]} 与发送方 {bank.BankNo} 不符")
            : ClearingQuotaMatch.Match(total, lines);
        if (rejection != ClearingRejection.None)
        {
            var returned = library.Return(session, request.Id, Bookkeeper, $"{rejection}: 直接支付 {reason}");
            return returned.Ok ? returned with { Message = Returned } : returned;
        }

        foreach (var line in lines)
        {
            session.Connection.Execute(
                "UPDATE pboc_direct_clearing_quotas SET cleared_fen = cleared_fen + @fen WHERE bank_code = @bank AND adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func",
                new { fen = line.Requested.Fen, bank = bankCode, adm = request.AdmDivCode, year = request.StYear, agency = line.AgencyCode, func = line.ExpFuncCode }, session.Transaction);
        }

        // The 2301's number is the bank's for both pay types, so a request is cleared once whatever its type.
        session.Connection.Execute(
            "INSERT INTO pboc_clearings (bank_code, adm_div_code, st_year, voucher_no, amount_fen, cleared_date) VALUES (@bank, @adm, @year, @no, @fen, @date)",
            new { bank = bankCode, adm = request.AdmDivCode, year = request.StYear, no = request.VoucherNo, fen = total.Fen, date = Date(businessDate) }, session.Transaction);
        session.Audit(Bookkeeper, "clear-direct", request.Key.ToString(), $"{total.ToWire()} from the treasury single account to {bank.Name} (直接支付)");
        return library.Reply(session, request.Id, bookkeeper, reviewer,
            v => v.With("XClearDate", Date(businessDate)).With("XPayAmt", total.ToWire()),
            [PartyId.Finance]);
    }
}
