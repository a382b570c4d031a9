using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;

namespace OpenTreasury.Business.Finance;

/// <summary>One line of a direct payment: what a budget unit's functional class pays to one payee.</summary>
public sealed record DirectPaymentLine(string ExpFuncCode, Amount Amount, Payee Payee);

/// <summary>
/// A direct payment (财政直接支付) Finance enters and approves for a budget unit: one 5201 to the unit's
/// agent bank. The first line is given by <see cref="ExpFuncCode"/>, <see cref="Amount"/> and
/// <see cref="Payee"/>; <see cref="MoreLines"/> adds lines of the same unit (other classes or payees).
/// </summary>
public sealed record DirectPaymentOrder(string VoucherNo, string AgencyCode, string ExpFuncCode, Amount Amount, Payee Payee, string Summary)
{
    public IReadOnlyList<DirectPaymentLine> MoreLines { get; init; } = [];

    public IReadOnlyList<DirectPaymentLine> Lines => [new(ExpFuncCode, Amount, Payee), .. MoreLines];
}

/// <summary>直接支付: the 5201 财政直接支付凭证 to the unit's agent bank and the 5108 clearing quota for it to PBOC, both or neither.</summary>
internal static class SubmitDirectPayment
{
    /// <summary>
    /// Finance's clerk (cz_lr) enters and its approver (cz_sh) approves the 5201 to the unit's
    /// agent bank and the matching 5108 (the bank's clearing quota for it, per unit × class) to PBOC, in
    /// one transaction: both are sent, or neither. Submitting the same order again makes nothing twice.
    /// </summary>
    public static LibraryResult Handle(FinanceContext finance, DirectPaymentOrder order, DateOnly vouDate)
    {
        ArgumentNullException.ThrowIfNull(order);
        var unit = finance.Master.Unit(order.AgencyCode);
        var bank = finance.Master.Bank(unit.BankCode);
        var (entry, approval) = finance.LogInShift(finance.Master.DivisionOf(unit).AdmDivCode);
        using var session = finance.Library.Begin();
        var payment = finance.Library.Issue(session, DirectPaymentVoucher(finance, order, unit, bank, vouDate), [PartyId.Parse($"bank-{bank.BankCode}")], entry, approval);
        var result = payment.Ok
            ? finance.Library.Issue(session, DirectClearingQuota(finance, order, unit, bank, vouDate), [PartyId.Pboc], entry, approval)
            : payment;
        result = result.Ok ? payment : result;
        finance.Library.Finish(session, result);
        return result;
    }

    private static Voucher DirectPaymentVoucher(FinanceContext finance, DirectPaymentOrder order, BudgetUnit unit, AgentBank bank, DateOnly vouDate)
    {
        var lines = order.Lines;
        var first = unit.Classes.Single(c => c.ExpFuncCode == order.ExpFuncCode);
        var onePayee = lines.Select(l => l.Payee).Distinct().Count() == 1;
        var total = Amount.Sum(lines.Select(l => l.Amount));
        var division = finance.Master.DivisionOf(unit);
        List<VoucherField> header =
        [
            .. division.VoucherHeader(finance.Master.StYear, "5201", order.VoucherNo, FinanceContext.Date(vouDate)),
            new("FundTypeCode", "1"),
            new("FundTypeName", "一般公共预算资金"),
            new("PayTypeCode", "11"),
            new("PayTypeName", "直接支付"),
            new("SupDepCode", unit.SupDepCode),
            .. unit.ClassFields(first),
            new("SetModeCode", "2"),
            new("SetModeName", "转账"),
            new("PayBankCode", bank.BankCode),
            new("PayBankName", bank.Name),
            new("ClearBankCode", "001"),
            new("ClearBankName", finance.Master.PbocName),
        ];
        if (onePayee)
        {
            header.AddRange(
            [
                new("PayeeAcctNo", order.Payee.AccountNo),
                new("PayeeAcctName", order.Payee.Name),
                new("PayeeAcctBankName", order.Payee.BankName),
                new("PayeeAcctBankNo", order.Payee.BankNo),
            ]);
        }

        header.AddRange(
        [
            new("PayAcctNo", bank.ClearingAccountNo),
            new("PayAcctName", $"{division.FinanceName}财政零余额账户"),
            new("PayAcctBankName", bank.Name),
            new("PaySummaryName", order.Summary),
            new("PayAmt", total.ToWire()),
        ]);
        var details = lines.Select((l, i) =>
        {
            var functional = unit.Classes.Single(c => c.ExpFuncCode == l.ExpFuncCode);
            return new VoucherDetail(
            [
                new("Id", FinanceContext.Text(i + 1)),
                new("VoucherBillId", order.VoucherNo),
                new("VoucherBillNo", order.VoucherNo),
                new("FundTypeCode", "1"),
                new("FundTypeName", "一般公共预算资金"),
                new("SupDepCode", unit.SupDepCode),
                .. unit.ClassFields(functional),
                new("PayeeAcctNo", l.Payee.AccountNo),
                new("PayeeAcctName", l.Payee.Name),
                new("PayeeAcctBankName", l.Payee.BankName),
                new("PayeeAcctBankNo", l.Payee.BankNo),
                new("PayAmt", l.Amount.ToWire()),
            ]);
        });
        return new Voucher(header, details);
    }

    /// <summary>The 5108 for one direct payment: the agent bank's clearing quota per unit × class.</summary>
    private static Voucher DirectClearingQuota(FinanceContext finance, DirectPaymentOrder order, BudgetUnit unit, AgentBank bank, DateOnly vouDate)
    {
        var voucherNo = FinanceDesk.ClearingQuotaNumberOf(order.VoucherNo);
        var lines = order.Lines.GroupBy(l => l.ExpFuncCode, StringComparer.Ordinal)
            .Select(g => (Functional: unit.Classes.Single(c => c.ExpFuncCode == g.Key), Amount: Amount.Sum(g.Select(l => l.Amount))))
            .ToList();
        var division = finance.Master.DivisionOf(unit);
        List<VoucherField> header =
        [
            .. division.VoucherHeader(finance.Master.StYear, "5108", voucherNo, FinanceContext.Date(vouDate)),
            new("TreCode", division.TreCode),
            new("FinOrgCode", division.FinOrgCode),
            new("PayAmt", Amount.Sum(lines.Select(l => l.Amount)).ToWire()),
            new("FundTypeCode", "1"),
            new("FundTypeName", "一般公共预算资金"),
            new("PayeeAcctNo", bank.ClearingAccountNo),
            new("PayeeAcctName", $"{bank.Name}财政直接支付清算户"),
            new("PayeeAcctBankName", bank.Name),
            new("PayAcctNo", division.TreasuryAccountNo),
            new("PayAcctName", division.TreasuryAccountName),
            new("PayAcctBankName", finance.Master.PbocName),
            new("PayBankCode", bank.BankCode),
            new("PayBankName", bank.Name),
            new("PayBankNo", bank.BankNo),
            new("PayVoucherNo", order.VoucherNo),
        ];
        var details = lines.Select(l => new VoucherDetail(
        [
            new("SupDepCode", unit.SupDepCode),
            new("ExpFuncCode", l.Functional.ExpFuncCode),
            new("ExpFuncName", l.Functional.ExpFuncName),
            new("PayAmt", l.Amount.ToWire()),
            new("DirectVoucherNo", order.VoucherNo),
            new("FundTypeCode", "1"),
            new("FundTypeName", "一般公共预算资金"),
            new("AgencyCode", unit.AgencyCode),
            new("AgencyName", unit.Name),
            new("ExpEcoCode", l.Functional.ExpEcoCode),
            new("ExpEcoName", l.Functional.ExpEcoName),
        ]));
        return new Voucher(header, details);
    }
}
