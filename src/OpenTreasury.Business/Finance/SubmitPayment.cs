using OpenTreasury.Domain.Codes;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Finance;

/// <summary>
/// A budget unit's payment order, entered by its clerk and approved by its finance head. Without a
/// <paramref name="VoucherNo"/> the library gives the next number of Finance's 8202 sequence; with one, the
/// number is the caller's idempotency key (the same order again returns the first result, another order
/// under it is refused). <see cref="Lines"/> are its detail lines (明细), for example a payroll's (代发工资) one line per
/// person and pay item; without them the voucher has one line of the whole <see cref="Amount"/>.
/// </summary>
public sealed record PaymentOrder(string? VoucherNo, string AgencyCode, string ExpFuncCode, Amount Amount, Payee Payee, string Summary)
{
    public IReadOnlyList<PaymentLine> Lines { get; init; } = [];
}

/// <summary>One detail line of an 8202: an economic class (支出经济分类, e.g. 30101 基本工资), its amount and what it is for.</summary>
public sealed record PaymentLine(string ExpEcoCode, string ExpEcoName, Amount Amount, string Remark);

/// <summary>授权支付: a budget unit's 8202 财政授权支付凭证, entered and approved by two people of the unit, sent to its bank.</summary>
internal static class SubmitPayment
{
    /// <summary>A unit's 8202 entered by <paramref name="clerk"/> and approved by <paramref name="approver"/>, who must be two people of the unit.</summary>
    public static LibraryResult Handle(FinanceContext finance, PaymentOrder order, DateOnly vouDate, Signer clerk, Signer approver)
    {
        ArgumentNullException.ThrowIfNull(order);
        var unit = finance.Master.Unit(order.AgencyCode);
        var bank = finance.Master.Bank(unit.BankCode);
        if (LinesDisagree(order) is { } disagree)
        {
            return disagree;
        }

        using var session = finance.Library.Begin();
        if (order.VoucherNo is null)
        {
            var master = finance.Master;
            order = order with
            {
                VoucherNo = finance.Library.NextVoucherNo(session, AdmDivCode.Parse(master.DivisionOf(unit).AdmDivCode), new StYear(master.StYear), VtCode.Parse("8202"), "ZF").Value,
            };
        }

        var result = finance.Library.Issue(session, PaymentVoucher(finance, order, unit, bank, vouDate), [PartyId.Parse($"bank-{bank.BankCode}")], clerk, approver);
        finance.Library.Finish(session, result);
        return result;
    }

    /// <summary>
    /// The desk's first step (录入): the unit's 8202 as a draft entered by <paramref name="clerk"/>, who then
    /// stamps it on their own machine; another person of the unit approves it (<see cref="Approve"/>).
    /// </summary>
    public static LibraryResult Draft(FinanceContext finance, PaymentOrder order, DateOnly vouDate, string clerk)
    {
        ArgumentNullException.ThrowIfNull(order);
        var unit = finance.Master.Unit(order.AgencyCode);
        var bank = finance.Master.Bank(unit.BankCode);
        if (unit.Classes.All(c => c.ExpFuncCode != order.ExpFuncCode))
        {
            return LibraryResult.Refused(LibraryRejection.InvalidVoucher, $"unit {unit.AgencyCode} has no functional class {order.ExpFuncCode}");
        }

        if (LinesDisagree(order) is { } disagree)
        {
            return disagree;
        }

        return finance.Library.Run(session =>
        {
            var numbered = order.VoucherNo is null
                ? order with { VoucherNo = finance.Library.NextVoucherNo(session, AdmDivCode.Parse(finance.Master.DivisionOf(unit).AdmDivCode), new StYear(finance.Master.StYear), VtCode.Parse("8202"), "ZF").Value }
                : order;
            return finance.Library.CreateDraft(session, PaymentVoucher(finance, numbered, unit, bank, vouDate), [PartyId.Parse($"bank-{bank.BankCode}")], clerk);
        });
    }

    /// <summary>
    /// The desk's second step (审核): <paramref name="approver"/> approves the stamped draft and adds their
    /// stamp, the unit's public seal goes on, and the voucher is sent to the bank, in one transaction.
    /// </summary>
    public static LibraryResult Approve(FinanceContext finance, long id, Signer approver) =>
        finance.Library.Run(session =>
        {
            var approved = finance.Library.Approve(session, id, approver.UserId);
            return approved.Ok ? finance.Library.Complete(session, id, approver, approver) : approved;
        });

    /// <summary>An order's lines must add up to its amount, to the fen; null when they do (or when it has none).</summary>
    private static LibraryResult? LinesDisagree(PaymentOrder order)
    {
        if (order.Lines.Count == 0)
        {
            return null;
        }

        var total = Amount.Sum(order.Lines.Select(l => l.Amount));
        return total == order.Amount
            ? null
            : LibraryResult.Refused(LibraryRejection.InvalidVoucher, $"the detail lines add up to {total.ToWire()}, not the amount {order.Amount.ToWire()} (明细金额合计与支付金额不符)");
    }

    private static Voucher PaymentVoucher(FinanceContext finance, PaymentOrder order, BudgetUnit unit, AgentBank bank, DateOnly vouDate)
    {
        var functional = unit.Classes.Single(c => c.ExpFuncCode == order.ExpFuncCode);
        List<VoucherField> header =
        [
            .. finance.Master.DivisionOf(unit).VoucherHeader(finance.Master.StYear, "8202", order.VoucherNo!, FinanceContext.Date(vouDate)),
            new("FundTypeCode", "1"),
            new("FundTypeName", "一般公共预算资金"),
            new("PayTypeCode", "12"),
            new("PayTypeName", "授权支付"),
            new("SetModeCode", "2"),
            new("SetModeName", "转账"),
            new("SupDepCode", unit.SupDepCode),
            .. unit.ClassFields(functional),
            new("PayeeAcctNo", order.Payee.AccountNo),
            new("PayeeAcctName", order.Payee.Name),
            new("PayeeAcctBankName", order.Payee.BankName),
            new("PayeeAcctBankNo", order.Payee.BankNo),
            new("PayAcctNo", unit.AccountNo),
            new("PayAcctName", $"{unit.Name}零余额账户"),
            new("PayAcctBankName", bank.Name),
            new("PayBankCode", bank.BankCode),
            new("PayBankName", bank.Name),
            new("PayBankNo", bank.BankNo),
            new("PaySummaryName", order.Summary),
            new("PayAmt", order.Amount.ToWire()),
        ];
        if (order.Lines.Count == 0)
        {
            return new Voucher(header, [Detail(1, order.VoucherNo!, unit.ClassFields(functional), order.Amount, null)]);
        }

        var details = new VoucherDetail[order.Lines.Count];
        for (var i = 0; i < details.Length; i++)
        {
            var line = order.Lines[i];
            details[i] = Detail(i + 1, order.VoucherNo!, unit.ClassFields(functional with { ExpEcoCode = line.ExpEcoCode, ExpEcoName = line.ExpEcoName }), line.Amount, line.Remark);
        }

        return new Voucher(header, details);
    }

    private static VoucherDetail Detail(int id, string voucherNo, VoucherField[] classFields, Amount amount, string? remark) => new(
    [
        new("Id", id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("VoucherBillId", voucherNo),
        .. classFields,
        new("PayAmt", amount.ToWire()),
        .. string.IsNullOrEmpty(remark) ? Array.Empty<VoucherField>() : [new VoucherField("Remark", remark)],
    ]);
}
