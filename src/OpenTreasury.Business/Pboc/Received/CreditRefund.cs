using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Pboc.Received;

/// <summary>
/// 2302 申请退款凭证 (授权支付退款 and 直接支付退款, amounts negative): gives back to the treasury what was
/// cleared. The matching clearing quota line (5106 ledger for PayTypeCode 12, 5108 ledger for 11) has its
/// cleared_fen lowered by the refund, never below zero; each refund is recorded once in pboc_refunds. The
/// 回单 (XClearDate, XPayAmt) goes to the bank and to Finance. A 2302 that does not fit is returned (退回).
/// </summary>
internal static class CreditRefund
{
    public static LibraryResult Handle(PbocShift shift, LibrarySession session, StoredVoucher request)
    {
        var (library, master, bookkeeper, reviewer, businessDate) = (shift.Pboc.Library, shift.Pboc.Master, shift.Bookkeeper, shift.Reviewer, shift.BusinessDate);
        var content = request.Content;
        var bankCode = request.SenderParty.Bank!.Value.Value;
        var bank = master.Bank(bankCode);
        var payType = content["PayTypeCode"];
        var table = payType switch
        {
            "12" => "pboc_clearing_quotas",
            PbocDesk.DirectPayType => "pboc_direct_clearing_quotas",
            _ => null,
        };
        var total = Amount.ParseWire(content["PayAmt"]!);
        var lines = content.Details
            .GroupBy(d => (Agency: d["AgencyCode"] ?? string.Empty, Func: d["ExpFuncCode"]!))
            .Select(g => (g.Key.Agency, g.Key.Func, Fen: -Amount.Sum(g.Select(d => Amount.ParseWire(d["PayAmt"]!))).Fen))
            .ToList();
        var key = new { bank = bankCode, adm = request.AdmDivCode, year = request.StYear, no = request.VoucherNo };
        var reason =
            content["PayBankNo"] != bank.BankNo ? PbocRejection.WrongBank.Say($"代理银行行号 {content["PayBankNo"]} 与发送方 {bank.BankNo} 不符")
            : table is null ? PbocRejection.UnknownPayType.Say($"退款的支付方式 {payType} 不是 12 (授权支付) 或 11 (直接支付)")
            : total >= Amount.Zero || lines.Any(l => l.Fen <= 0) ? PbocRejection.AmountNotNegative.Say($"退款金额应为负数, 申请 {total.ToWire()}")
            : lines.Any(l => l.Agency.Length == 0) ? PbocRejection.MissingAgencyCode.Say("退款明细缺少预算单位编码 (AgencyCode)")
            : session.Connection.ExecuteScalar<long>(
                "SELECT COUNT(*) FROM pboc_refunds WHERE bank_code = @bank AND adm_div_code = @adm AND st_year = @year AND voucher_no = @no", key, session.Transaction) > 0
                ? PbocRejection.DuplicateRefund.Say($"退款凭证 {request.VoucherNo} 已退")
            : lines.Select(l => ExceedsCleared(session, table, request, bankCode, l.Agency, l.Func, l.Fen)).FirstOrDefault(r => r is not null);
        if (reason is not null)
        {
            var returned = library.Return(session, request.Id, PbocContext.Bookkeeper, reason);
            return returned.Ok ? returned with { Message = PbocContext.Returned } : returned;
        }

        foreach (var (agency, func, fen) in lines)
        {
            // The WHERE repeats the check so cleared_fen can never go below zero.
            var credited = session.Connection.Execute(
                $"UPDATE {table} SET cleared_fen = cleared_fen - @fen WHERE bank_code = @bank AND adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func AND cleared_fen >= @fen",
                new { fen, bank = bankCode, adm = request.AdmDivCode, year = request.StYear, agency, func }, session.Transaction);
            if (credited != 1)
            {
                throw new InvalidOperationException($"clearing quota of {agency}/{func} changed under the refund {request.Key}");
            }
        }

        TreasuryAccount.Move(session, request.AdmDivCode, request.StYear, TreasuryMovementKind.Refund, request.Key.ToString(), -total, businessDate);
        var date = PbocContext.Date(businessDate);
        session.Connection.Execute(
            "INSERT INTO pboc_refunds (bank_code, adm_div_code, st_year, voucher_no, pay_type, amount_fen, credited_date) VALUES (@bank, @adm, @year, @no, @payType, @fen, @date)",
            new { key.bank, key.adm, key.year, key.no, payType, fen = -total.Fen, date }, session.Transaction);
        session.Audit(PbocContext.Bookkeeper, "refund", request.Key.ToString(), $"{(-total).ToWire()} from {bank.Name} back to the treasury single account (PayTypeCode {payType})");
        return library.Reply(session, request.Id, bookkeeper, reviewer,
            v => v.With("XClearDate", date).With("XPayAmt", total.ToWire()),
            [PartyId.Finance]);
    }

    private static string? ExceedsCleared(LibrarySession session, string table, StoredVoucher request, string bankCode, string agency, string func, long fen)
    {
        var cleared = session.Connection.ExecuteScalar<long?>(
            $"SELECT cleared_fen FROM {table} WHERE bank_code = @bank AND adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func",
            new { bank = bankCode, adm = request.AdmDivCode, year = request.StYear, agency, func }, session.Transaction) ?? 0;
        return fen > cleared
            ? PbocRejection.RefundExceedsCleared.Say($"预算单位 {agency} 功能科目 {func} 已清算 {new Amount(cleared).ToWire()}, 申请退款 {new Amount(fen).ToWire()}")
            : null;
    }
}
