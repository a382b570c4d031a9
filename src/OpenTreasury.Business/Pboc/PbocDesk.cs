using System.Globalization;
using Dapper;
using OpenTreasury.Business.Statements;
using OpenTreasury.Domain.Clearing;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Pboc;

/// <summary>What one pass over PBOC's received vouchers did.</summary>
/// <remarks><see cref="Cleared"/> and <see cref="Returned"/> count 2301s of both pay types (12 授权支付, 11 直接支付).</remarks>
public sealed record PbocPass(int ClearingQuotaNotices, int Cleared, int Returned, int Refused)
{
    /// <summary>直接支付: 5108 direct-payment clearing quota notices booked and answered.</summary>
    public int DirectClearingQuotaNotices { get; init; }

    /// <summary>退款: 2302s credited back to the treasury and answered with the 回单 (a returned one counts in <see cref="Returned"/>).</summary>
    public int Refunds { get; init; }

    /// <summary>清算信息对账: 5507/2507 answers to a 3507 recorded and signed for (PbocDesk.ClearingReconciliation.cs).</summary>
    public int ClearingAnswers { get; init; }

    public int Handled => ClearingQuotaNotices + Cleared + Returned + Refused + DirectClearingQuotaNotices + Refunds + ClearingAnswers;
}

/// <summary>
/// PBOC's treasury desk (人民银行国库): books each bank's clearing quota from 5106 and answers with
/// the 回单; matches each 2301 against that quota, clears it from the treasury single account and
/// sends the 回单 to the bank and to Finance, or returns (退回) it with the reason.
/// </summary>
public sealed partial class PbocDesk(VoucherLibrary library, MasterData master, ISignerSource signers)
{
    private const string Bookkeeper = "rh_jz"; // 记账员
    private const string Reviewer = "rh_fh";   // 复核员
    private const string Returned = "returned";

    public PbocPass ProcessReceived(DateOnly businessDate)
    {
        // The people at the desk log in before any transaction starts (a login writes its own audit entry).
        var bookkeeper = signers.SignerFor(Bookkeeper);
        var reviewer = signers.SignerFor(Reviewer);
        var pass = new PbocPass(0, 0, 0, 0);
        foreach (var (voucher, outcome) in library.WorkReceived(Bookkeeper, (session, v) => (v.VtCode, v.IsReply) switch
        {
            ("5106", false) => BookClearingQuota(session, v, businessDate, bookkeeper, reviewer),
            // 直接支付 (PbocDesk.DirectPayment.cs).
            ("5108", false) => BookDirectClearingQuota(session, v, businessDate, bookkeeper, reviewer),
            ("2301", false) => Clear(session, v, businessDate, bookkeeper, reviewer),
            ("5207", false) => Allocate(session, v, businessDate, bookkeeper, reviewer), // 实拨: PbocDesk.Allocation.cs
            ("2302", false) => CreditRefund(session, v, businessDate, bookkeeper, reviewer), // 退款: PbocDesk.Refund.cs
            ("5507" or "2507", false) => RecordClearingAnswer(session, v), // 清算信息对账: PbocDesk.ClearingReconciliation.cs
            _ => library.Refuse(session, v.Id, Bookkeeper, $"人民银行国库不处理 {v.VtCode} 凭证"),
        }))
        {
            pass = (voucher.VtCode, outcome) switch
            {
                (_, { Ok: false }) => pass with { Refused = pass.Refused + 1 },
                ("5106", _) => pass with { ClearingQuotaNotices = pass.ClearingQuotaNotices + 1 },
                ("5108", _) => pass with { DirectClearingQuotaNotices = pass.DirectClearingQuotaNotices + 1 },
                ("2301", { Message: Returned }) => pass with { Returned = pass.Returned + 1 },
                ("2301", _) => pass with { Cleared = pass.Cleared + 1 },
                ("5207", { Message: Returned }) => pass with { Returned = pass.Returned + 1 }, // 实拨 returned: payment failed
                ("5207", _) => pass with { Cleared = pass.Cleared + 1 },                        // 实拨 paid from the treasury
                ("2302", { Message: Returned }) => pass with { Returned = pass.Returned + 1 }, // 退款 returned
                ("2302", _) => pass with { Refunds = pass.Refunds + 1 },                      // 退款 credited back
                ("5507" or "2507", _) => pass with { ClearingAnswers = pass.ClearingAnswers + 1 }, // 清算信息对账
                _ => pass,
            };
        }

        return pass;
    }

    /// <summary>5106: the bank's clearing quota per unit × class grows; the 回单 tells Finance it was booked.</summary>
    private LibraryResult BookClearingQuota(LibrarySession session, StoredVoucher notice, DateOnly businessDate, Signer bookkeeper, Signer reviewer)
    {
        var content = notice.Content;
        var bank = content["PayBankCode"]!;
        {
            foreach (var detail in content.Details)
            {
                session.Connection.Execute(
                    """
                    INSERT INTO pboc_clearing_quotas (bank_code, adm_div_code, st_year, agency_code, exp_func_code, issued_fen) VALUES (@bank, @adm, @year, @agency, @func, @fen)
                    ON CONFLICT (bank_code, adm_div_code, st_year, agency_code, exp_func_code) DO UPDATE SET issued_fen = issued_fen + excluded.issued_fen
                    """,
                    new { bank, adm = notice.AdmDivCode, year = notice.StYear, agency = detail["AgencyCode"], func = detail["ExpFuncCode"], fen = Amount.ParseWire(detail["PlanAmt"]!).Fen },
                    session.Transaction);
            }

            return library.Reply(session, notice.Id, bookkeeper, reviewer, v => v.With("XAcceptDate", Date(businessDate)), []);
        }
    }

    /// <summary>2301: match against the clearing quota (domain guide §5), then clear or return.</summary>
    private LibraryResult Clear(LibrarySession session, StoredVoucher request, DateOnly businessDate, Signer bookkeeper, Signer reviewer)
    {
        var content = request.Content;
        var bankCode = request.SenderParty.Bank!.Value.Value;
        var bank = master.Bank(bankCode);

        // A direct payment's request (PayTypeCode 11) draws on the 5108 quota, an authorized one on the 5106.
        var direct = content["PayTypeCode"] == DirectPayType;
        var quotas = direct ? "pboc_direct_clearing_quotas" : "pboc_clearing_quotas";
        var lines = content.Details
            .GroupBy(d => (Agency: d["AgencyCode"]!, Func: d["ExpFuncCode"]!))
            .Select(g =>
            {
                var quota = session.Connection.QueryFirstOrDefault<QuotaRow>(
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
        if (rejection != ClearingRejection.None)
        {
            var returned = library.Return(session, request.Id, Bookkeeper, $"{rejection}: {(direct ? "直接支付 " : string.Empty)}{reason}");
            return returned.Ok ? returned with { Message = Returned } : returned;
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
            new { bank = bankCode, adm = request.AdmDivCode, year = request.StYear, no = request.VoucherNo, fen = total.Fen, date = Date(businessDate) }, session.Transaction);
        session.Audit(Bookkeeper, direct ? "clear-direct" : "clear", request.Key.ToString(), $"{total.ToWire()} from the treasury single account to {bank.Name}{(direct ? " (直接支付)" : string.Empty)}");
        return library.Reply(session, request.Id, bookkeeper, reviewer,
            v => v.With("XClearDate", Date(businessDate)).With("XPayAmt", total.ToWire()),
            [PartyId.Finance]);
    }

    private static string Date(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private sealed record QuotaRow(long IssuedFen, long ClearedFen);
}
