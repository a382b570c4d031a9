using System.Globalization;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;

namespace OpenTreasury.Business.Finance;

/// <summary>One month's authorized quota for a budget unit × functional class (用款计划 line).</summary>
public sealed record QuotaPlanLine(string AgencyCode, string ExpFuncCode, Amount Amount);

/// <summary>A budget unit's payment order, entered by its clerk and approved by its finance head.</summary>
public sealed record PaymentOrder(string VoucherNo, string AgencyCode, string ExpFuncCode, Amount Amount, Payee Payee, string Summary);

/// <summary>What one pass over Finance's received vouchers did.</summary>
public sealed record FinancePass(int ArrivalNotices, int ClearingReceipts, int DailyReports, int Other)
{
    /// <summary>直接支付: the banks' 5201 回单 signed for.</summary>
    public int DirectPaymentReceipts { get; init; }

    /// <summary>直接支付: the banks' 2209 credit notices (入账通知书) signed for.</summary>
    public int CreditNotices { get; init; }

    /// <summary>退款: PBOC's 2302 回单 and the banks' 2203/2204 refund notices and 2208 refund reports signed for.</summary>
    public int Refunds { get; init; }

    /// <summary>凭证对账: PBOC's 3501/4004 statements checked and signed for (FinanceDesk.Reconciliation.cs).</summary>
    public int VoucherStatements { get; init; }

    /// <summary>清算信息对账: PBOC's 3507 checked, answered with a 5507 and signed for (FinanceDesk.ClearingReconciliation.cs).</summary>
    public int ClearingStatements { get; init; }

    public int Handled => ArrivalNotices + ClearingReceipts + DailyReports + Other + DirectPaymentReceipts + CreditNotices + Refunds + VoucherStatements + ClearingStatements;
}

/// <summary>
/// Finance's treasury desk (财政国库股) and the budget units' platform: approves quota plans into 5105
/// (to each bank) and 5106 (to PBOC), carries the units' 8202 payment vouchers to their banks, signs
/// for what comes back, and reconciles at the end of the day.
/// </summary>
public sealed partial class FinanceDesk(VoucherLibrary library, MasterData master, ISignerSource signers)
{
    private const string Entry = "cz_lr";   // 国库股录入
    private const string Approval = "cz_sh"; // 国库股审核

    /// <summary>The monthly plan becomes one 5105 per bank (its units' lines) and one 5106 per bank to PBOC.</summary>
    public IReadOnlyList<LibraryResult> IssueQuota(int month, DateOnly vouDate, IReadOnlyList<QuotaPlanLine> plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var results = new List<LibraryResult>();
        var (entry, approval) = (signers.SignerFor(Entry), signers.SignerFor(Approval));
        foreach (var byBank in plan.GroupBy(l => master.Unit(l.AgencyCode).BankCode).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var bank = master.Bank(byBank.Key);
            var party = PartyId.Parse($"bank-{bank.BankCode}");
            using var session = library.Begin();
            results.Add(library.Issue(session, QuotaNotice("5105", $"ED{bank.BankCode}{master.StYear}{month:D2}", month, vouDate, bank, [.. byBank]), [party], entry, approval).ThrowIfRefused());
            results.Add(library.Issue(session, QuotaNotice("5106", $"QS{bank.BankCode}{master.StYear}{month:D2}", month, vouDate, bank, [.. byBank]), [PartyId.Pboc], entry, approval).ThrowIfRefused());
            session.Commit();
        }

        return results;
    }

    /// <summary>A unit's 8202: entered by its clerk (经办人), approved by its finance head (财务负责人), sent to its bank.</summary>
    public LibraryResult SubmitPayment(PaymentOrder order, DateOnly vouDate, string? approver = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        return SubmitPayment(order, vouDate, signers.SignerFor($"dw{order.AgencyCode}_jbr"), signers.SignerFor(approver ?? $"dw{order.AgencyCode}_fzr"));
    }

    /// <summary>A unit's 8202 entered by <paramref name="clerk"/> and approved by <paramref name="approver"/>, who must be two people of the unit.</summary>
    public LibraryResult SubmitPayment(PaymentOrder order, DateOnly vouDate, Signer clerk, Signer approver)
    {
        ArgumentNullException.ThrowIfNull(order);
        var unit = master.Unit(order.AgencyCode);
        var bank = master.Bank(unit.BankCode);
        using var session = library.Begin();
        var result = library.Issue(session, PaymentVoucher(order, unit, bank, vouDate), [PartyId.Parse($"bank-{bank.BankCode}")], clerk, approver);
        library.Finish(session, result);
        return result;
    }

    /// <summary>Signs for arrival notices, PBOC's 回单 and the banks' daily reports (they are Finance's books).</summary>
    public FinancePass ProcessReceived()
    {
        // 清算信息对账: the two people who answer a 3507 log in before any transaction starts.
        var (entry, approval) = (signers.SignerFor(Entry), signers.SignerFor(Approval));
        var pass = new FinancePass(0, 0, 0, 0);
        foreach (var (voucher, outcome) in library.WorkReceived(Entry, (session, v) => (v.VtCode, v.IsReply) switch
        {
            ("3208", false) => BookAllocationRefund(session, v), // 实拨退款: FinanceDesk.Allocation.cs
            ("3501" or "4004", false) => CheckVoucherStatement(session, v), // 凭证对账: FinanceDesk.Reconciliation.cs
            ("3507", false) => AnswerClearingStatement(session, v, entry, approval), // 清算信息对账: FinanceDesk.ClearingReconciliation.cs
            _ => library.SignFor(session, v.Id, Entry),
        }))
        {
            pass = (voucher.VtCode, voucher.IsReply, outcome.Ok) switch
            {
                (_, _, false) => pass with { Other = pass.Other + 1 },
                ("2105", _, _) => pass with { ArrivalNotices = pass.ArrivalNotices + 1 },
                // 直接支付: 5201 回单, 5108 回单, 2209 credit notices, 2206 daily reports.
                ("5201", true, _) => pass with { DirectPaymentReceipts = pass.DirectPaymentReceipts + 1 },
                ("5108", true, _) => pass with { ClearingReceipts = pass.ClearingReceipts + 1 },
                ("2209", _, _) => pass with { CreditNotices = pass.CreditNotices + 1 },
                ("2206", _, _) => pass with { DailyReports = pass.DailyReports + 1 },
                ("2301" or "5106", true, _) => pass with { ClearingReceipts = pass.ClearingReceipts + 1 },
                ("5207", true, _) => pass with { ClearingReceipts = pass.ClearingReceipts + 1 }, // 实拨 回单: PBOC paid it
                ("2207", _, _) => pass with { DailyReports = pass.DailyReports + 1 },
                ("2302" or "2203" or "2204" or "2208", _, _) => pass with { Refunds = pass.Refunds + 1 }, // 退款
                ("3501" or "4004", _, _) => pass with { VoucherStatements = pass.VoucherStatements + 1 }, // 凭证对账
                ("3507", _, _) => pass with { ClearingStatements = pass.ClearingStatements + 1 }, // 清算信息对账
                _ => pass with { Other = pass.Other + 1 },
            };
        }

        return pass;
    }

    private Voucher QuotaNotice(string vtCode, string voucherNo, int month, DateOnly vouDate, AgentBank bank, IReadOnlyList<QuotaPlanLine> lines)
    {
        var total = Amount.Sum(lines.Select(l => l.Amount));
        List<VoucherField> header =
        [
            .. master.VoucherHeader(vtCode, voucherNo, Date(vouDate)),
            new("TreCode", master.TreCode),
            new("FinOrgCode", master.FinOrgCode),
            new("FundTypeCode", "1"),
            new("FundTypeName", "一般公共预算资金"),
        ];
        if (vtCode == "5105")
        {
            header.AddRange(
            [
                new("PayTypeCode", "12"),
                new("PayTypeName", "授权支付"),
                new("SetMonth", Text(month)),
                new("PlanAmt", total.ToWire()),
                new("PayBankCode", bank.BankCode),
                new("PayBankName", bank.Name),
                new("PayBankNo", bank.BankNo),
            ]);
        }
        else
        {
            header.AddRange(
            [
                new("PlanAmt", total.ToWire()),
                new("PayAcctNo", master.TreasuryAccountNo),
                new("PayAcctName", master.TreasuryAccountName),
                new("PayeeAcctNo", bank.ClearingAccountNo),
                new("PayeeAcctName", $"{bank.Name}财政授权支付清算户"),
                new("SetMonth", Text(month)),
                new("DeptNum", Text(lines.Select(l => master.Unit(l.AgencyCode).SupDepCode).Distinct().Count())),
                new("ClearBankCode", "001"),
                new("ClearBankName", master.PbocName),
                new("PayBankCode", bank.BankCode),
                new("PayBankName", bank.Name),
                new("PayBankNo", bank.BankNo),
            ]);
        }

        var details = lines.Select((l, i) =>
        {
            var unit = master.Unit(l.AgencyCode);
            var fields = new List<VoucherField>
            {
                new("Id", Text(i + 1)),
                new("SupDepCode", unit.SupDepCode),
                new("AgencyCode", unit.AgencyCode),
                new("AgencyName", unit.Name),
                new("ExpFuncCode", l.ExpFuncCode),
                new("ExpFuncName", unit.Classes.Single(c => c.ExpFuncCode == l.ExpFuncCode).ExpFuncName),
                new("PlanAmt", l.Amount.ToWire()),
            };
            fields.Add(vtCode == "5105" ? new("AgencyAcctNo", unit.AccountNo) : new("AgencyAccoCode", unit.AccountNo));
            return new VoucherDetail(fields);
        });
        return new Voucher(header, details);
    }

    private Voucher PaymentVoucher(PaymentOrder order, BudgetUnit unit, AgentBank bank, DateOnly vouDate)
    {
        var functional = unit.Classes.Single(c => c.ExpFuncCode == order.ExpFuncCode);
        List<VoucherField> header =
        [
            .. master.VoucherHeader("8202", order.VoucherNo, Date(vouDate)),
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
        VoucherDetail[] details =
        [
            new(
            [
                new("Id", "1"),
                new("VoucherBillId", order.VoucherNo),
                .. unit.ClassFields(functional),
                new("PayAmt", order.Amount.ToWire()),
            ]),
        ];
        return new Voucher(header, details);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Date(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
