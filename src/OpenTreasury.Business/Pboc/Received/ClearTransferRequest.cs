using Dapper;
using OpenTreasury.Domain.Clearing;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Pboc.Received;

/// <summary>
/// 2301 申请划款凭证: match against the clearing quota (domain guide §5; 5106 for PayTypeCode 12, 5108 for
/// 11), then clear it from the treasury single account (returned when the account
/// would go below zero) and send the 回单 to the bank and to Finance, or
/// return (退回) it with the reason.
/// </summary>
internal static class ClearTransferRequest
{
    public static LibraryResult Handle(PbocShift shift, LibrarySession session, StoredVoucher request)
    {
        var (library, master, bookkeeper, reviewer, businessDate) = (shift.Pboc.Library, shift.Pboc.Master, shift.Bookkeeper, shift.Reviewer, shift.BusinessDate);
        var content = request.Content;
        var bankCode = request.SenderParty.Bank!.Value.Value;
        var bank = master.Bank(bankCode);

        // A direct payment's request (PayTypeCode 11) draws on the 5108 quota, an authorized one on the 5106.
        var direct = content["PayTypeCode"] == PbocDesk.DirectPayType;
        var quotas = direct ? "pboc_direct_clearing_quotas" : "pboc_clearing_quotas";
        var lines = content.Details
            .GroupBy(d => (Agency: d["AgencyCode"]!, Func: d["ExpFuncCode"]!))
            .Select(g =>
            {
                var quota = session.Connection.QueryFirstOrDefault<PbocQuotaRow>(
                    $"SELECT issued_fen AS IssuedFen, cleared_fen AS ClearedFen FROM {quotas} WHERE bank_code = @bank AND adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func",
                    new { bank = bankCode, adm = request.AdmDivCode, year = request.StYear, agency = g.Key.Agency, func = g.Key.Func }, session.Transaction);
                return new ClearingLine(g.Key.Agency, g.Key.Func, Amount.Sum(g.Select(d => Amount.ParseWire(d["PayAmt"]!))),
                    new Amount(quota?.IssuedFen ?? 0), new Amount(quota?.ClearedFen ?? 0));
            })
            .ToList();
        var total = Amount.ParseWire(content["PayAmt"]!);
        var (rejection, reason) = content["PayBankNo"] != bank.BankNo
            ? (ClearingRejection.WrongBank, $"代理银行行号 {content["PayBankNo"]} 与发送方 {bank.BankNo} 不符")
            : ClearingQuotaMatch.Match(total, lines);
        var failure = rejection != ClearingRejection.None
            ? Code(rejection).Say($"{(direct ? "直接支付 " : string.Empty)}{reason}")
            : TreasuryAccount.Shortfall(session, request.AdmDivCode, request.StYear, total, "清算");
        if (failure is not null)
        {
            var returned = library.Return(session, request.Id, PbocContext.Bookkeeper, failure);
            return returned.Ok ? returned with { Message = PbocContext.Returned } : returned;
        }

        foreach (var line in lines)
        {
            session.Connection.Execute(
                $"UPDATE {quotas} SET cleared_fen = cleared_fen + @fen WHERE bank_code = @bank AND adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func",
                new { fen = line.Requested.Fen, bank = bankCode, adm = request.AdmDivCode, year = request.StYear, agency = line.AgencyCode, func = line.ExpFuncCode }, session.Transaction);
        }

        // The 2301's number is the bank's for both pay types, so a request is cleared once whatever its type.
        session.Connection.Execute(
            "INSERT INTO pboc_clearings (bank_code, adm_div_code, st_year, voucher_no, amount_fen, cleared_date) VALUES (@bank, @adm, @year, @no, @fen, @date)",
            new { bank = bankCode, adm = request.AdmDivCode, year = request.StYear, no = request.VoucherNo, fen = total.Fen, date = PbocContext.Date(businessDate) }, session.Transaction);
        TreasuryAccount.Move(session, request.AdmDivCode, request.StYear, TreasuryMovementKind.Clearing, request.Key.ToString(), total, businessDate);
        session.Audit(PbocContext.Bookkeeper, direct ? "clear-direct" : "clear", request.Key.ToString(), $"{total.ToWire()} from the treasury single account to {bank.Name}{(direct ? " (直接支付)" : string.Empty)}");
        return library.Reply(session, request.Id, bookkeeper, reviewer,
            v => v.With("XClearDate", PbocContext.Date(businessDate)).With("XPayAmt", total.ToWire()),
            [PartyId.Finance]);
    }

    /// <summary>The domain's clearing rejection as PBOC's stable code.</summary>
    private static PbocRejection Code(ClearingRejection rejection) => rejection switch
    {
        ClearingRejection.WrongBank => PbocRejection.WrongBank,
        ClearingRejection.TotalMismatch => PbocRejection.TotalMismatch,
        ClearingRejection.NoClearingQuota => PbocRejection.NoClearingQuota,
        ClearingRejection.ClearingQuotaExceeded => PbocRejection.ClearingQuotaExceeded,
        _ => throw new ArgumentOutOfRangeException(nameof(rejection), rejection, "not a rejection"),
    };
}
