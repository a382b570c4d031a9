using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Business.Bank.Received;

/// <summary>
/// 5201 财政直接支付凭证: pay each detail whose payee passes the account check (账户核验) and answer
/// with the stamped 回单 either way (XPayAmt, XPayDate, XAgentBusinessNo; a line that fails carries
/// XPayAmt 0.00 and the reason in XAddWord). Another bank's 5201 is returned (退回) unworked.
/// </summary>
internal static class PayDirectVoucher
{
    public static LibraryResult Handle(BankShift shift, LibrarySession session, StoredVoucher payment)
    {
        var (bank, library) = (shift.Bank, shift.Bank.Library);
        // Load.
        var content = payment.Content;
        // Decide: another bank's payment goes back.
        if (content["PayBankCode"] != bank.Bank.BankCode)
        {
            var returned = library.Return(session, payment.Id, bank.Clerk,
                BankRejection.NotOurBank.Say($"付款银行 {content["PayBankCode"]} 不是本行 {bank.Bank.BankCode}"));
            return returned.Ok ? returned with { Message = BankContext.Returned } : returned;
        }

        // Decide line by line (the account check) and record each paid line.
        var date = BankContext.Date(shift.BusinessDate);
        var businessNo = $"{bank.Bank.BankCode}{shift.BusinessDate:yyyyMMdd}{payment.Id:D8}";
        var details = new List<VoucherDetail>();
        var paid = Amount.Zero;
        var failed = 0;
        for (var i = 0; i < content.Details.Count; i++)
        {
            var detail = content.Details[i];
            var payee = detail["PayeeAcctNo"] ?? content["PayeeAcctNo"];
            var amount = Amount.ParseWire(detail["PayAmt"]!);
            if (shift.Bank.Accounts.Refuse(payee) is { } reason)
            {
                failed++;
                details.Add(detail.With("XPayDate", date).With("XPayAmt", Amount.Zero.ToWire()).With("XAddWord", reason));
                session.Audit(bank.Clerk, "pay-direct-failed", payment.Key.ToString(), $"line {i + 1}: {amount.ToWire()} to {payee}: {reason}");
                continue;
            }

            session.Connection.Execute(
                """
                INSERT INTO bank_direct_payments (voucher_id, line, adm_div_code, st_year, voucher_no, agency_code, exp_func_code, payee_acct_no, amount_fen, pay_date, business_no)
                VALUES (@id, @line, @adm, @year, @no, @agency, @func, @payee, @fen, @date, @businessNo)
                """,
                new { id = payment.Id, line = i + 1, adm = payment.AdmDivCode, year = payment.StYear, no = payment.VoucherNo, agency = detail["AgencyCode"], func = detail["ExpFuncCode"], payee, fen = amount.Fen, date, businessNo },
                session.Transaction);
            paid += amount;
            details.Add(detail.With("XPayDate", date).With("XAgentBusinessNo", businessNo).With("XPayAmt", amount.ToWire()));
        }

        // Record: the audit entry and the 回单.
        session.Audit(bank.Clerk, "pay-direct", payment.Key.ToString(), $"paid {paid.ToWire()} of {content["PayAmt"]}; {failed} line(s) failed; 流水号 {businessNo}");
        return library.Reply(session, payment.Id, shift.Clerk, shift.Reviewer, v =>
        {
            var receipt = v.With("XPayDate", date).With("XAgentBusinessNo", businessNo).With("XPayAmt", paid.ToWire());
            receipt = failed == 0 ? receipt : receipt.With("XAddWord", $"{failed} 笔明细支付失败, 实际支付 {paid.ToWire()}");
            return receipt.WithDetails(details);
        }, []);
    }
}
