using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Quotas;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Bank.Received;

/// <summary>
/// 8202 财政授权支付凭证: pay within quota (every detail line against its unit × class), or return (退回)
/// it with the reason (also when its number was paid on paper, or its unit pays on paper only); paying moves the quota and books the lines in the transaction that signs for it.
/// </summary>
internal static class PayAuthorizedVoucher
{
    public static LibraryResult Handle(BankShift shift, LibrarySession session, StoredVoucher payment)
    {
        var (bank, library) = (shift.Bank, shift.Bank.Library);
        // Load.
        var content = payment.Content;
        var lines = content.Details
            .Select(d => (Agency: d["AgencyCode"]!, Func: d["ExpFuncCode"]!, Amount: Amount.ParseWire(d["PayAmt"]!)))
            .ToList();
        // Decide: another bank's payment, or one beyond the quota, goes back with the reason.
        var reason = content["PayBankCode"] != bank.Bank.BankCode
            ? BankRejection.NotOurBank.Say($"付款银行 {content["PayBankCode"]} 不是本行 {bank.Bank.BankCode}")
            : PaperPayments.RefuseElectronic(session, payment, content["AgencyCode"] ?? lines[0].Agency) ?? CheckQuota(session, payment, lines);
        if (reason is not null)
        {
            var returned = library.Return(session, payment.Id, bank.Clerk, reason);
            return returned.Ok ? returned with { Message = BankContext.Returned } : returned;
        }

        // Record: the quota paid, the lines, the audit entry, the signature.
        var businessNo = $"{bank.Bank.BankCode}{shift.BusinessDate:yyyyMMdd}{payment.Id:D8}";
        for (var i = 0; i < lines.Count; i++)
        {
            var (agency, func, amount) = lines[i];
            // The WHERE repeats the domain's check so a concurrent writer can never push paid past issued;
            // the table's CHECK constraint is the last line of defence.
            var updated = session.Connection.Execute(
                """
                UPDATE bank_quotas SET paid_fen = paid_fen + @fen
                WHERE adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func AND paid_fen + @fen <= issued_fen
                """,
                new { adm = payment.AdmDivCode, year = payment.StYear, agency, func, fen = amount.Fen }, session.Transaction);
            if (updated != 1)
            {
                throw new InvalidOperationException($"quota of {agency}/{func} changed under a payment of {payment.Key}");
            }

            session.Connection.Execute(
                """
                INSERT INTO bank_payments (voucher_id, line, adm_div_code, st_year, voucher_no, agency_code, exp_func_code, amount_fen, pay_date, business_no)
                VALUES (@id, @line, @adm, @year, @no, @agency, @func, @fen, @date, @businessNo)
                """,
                new { id = payment.Id, line = i + 1, adm = payment.AdmDivCode, year = payment.StYear, no = payment.VoucherNo, agency, func, fen = amount.Fen, date = BankContext.Date(shift.BusinessDate), businessNo },
                session.Transaction);
        }

        session.Audit(bank.Clerk, "pay", payment.Key.ToString(), $"{content["PayAmt"]} to {content["PayeeAcctName"]} ({content["PayeeAcctNo"]}); 流水号 {businessNo}");
        return library.SignFor(session, payment.Id, bank.Clerk);
    }

    /// <summary>Loads each unit × class quota the lines draw on and asks the domain's <see cref="QuotaLine"/>; null when all fit.</summary>
    private static string? CheckQuota(LibrarySession session, StoredVoucher payment, List<(string Agency, string Func, Amount Amount)> lines)
    {
        foreach (var group in lines.GroupBy(l => (l.Agency, l.Func)))
        {
            var row = session.Connection.QueryFirstOrDefault<QuotaRow>(
                "SELECT issued_fen AS IssuedFen, paid_fen AS PaidFen FROM bank_quotas WHERE adm_div_code = @adm AND st_year = @year AND agency_code = @agency AND exp_func_code = @func",
                new { adm = payment.AdmDivCode, year = payment.StYear, agency = group.Key.Agency, func = group.Key.Func }, session.Transaction);
            var line = row is null ? new QuotaLine(Amount.Zero, Amount.Zero) : new QuotaLine(new Amount(row.IssuedFen), new Amount(row.PaidFen));
            var requested = Amount.Sum(group.Select(g => g.Amount));
            var rejection = line.TryPay(requested, out _);
            if (rejection != QuotaRejection.None)
            {
                return rejection switch
                {
                    QuotaRejection.NoQuota => BankRejection.NoQuota.Say($"预算单位 {group.Key.Agency} 功能科目 {group.Key.Func} 无授权支付额度"),
                    // NotPositive cannot pass the catalogue's rules; it keeps the wording it always had.
                    _ => (rejection == QuotaRejection.NotPositive ? BankRejection.AmountNotPositive : BankRejection.QuotaExceeded).Say($"额度不足, 预算单位 {group.Key.Agency} 功能科目 {group.Key.Func} 可用额度 {line.Remaining.ToWire()}, 申请支付 {requested.ToWire()}"),
                };
            }
        }

        return null;
    }

    private sealed record QuotaRow(long IssuedFen, long PaidFen);
}
