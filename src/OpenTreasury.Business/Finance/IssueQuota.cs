using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;

namespace OpenTreasury.Business.Finance;

/// <summary>One month's authorized quota for a budget unit × functional class (用款计划 line).</summary>
public sealed record QuotaPlanLine(string AgencyCode, string ExpFuncCode, Amount Amount);

/// <summary>
/// 额度下达: the monthly plan (用款计划) becomes, per division and bank, one 5105 (its units' lines) to the bank and one
/// 5106 to PBOC, each line drawn on its budget indicator (BudgetIndicators); a plan beyond an indicator is refused whole.
/// </summary>
internal static class IssueQuota
{
    /// <summary>The monthly plan becomes one 5105 per division and bank (its units' lines) and one 5106 per division and bank to PBOC.</summary>
    public static IReadOnlyList<LibraryResult> Handle(FinanceContext finance, int month, DateOnly vouDate, IReadOnlyList<QuotaPlanLine> plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var results = new List<LibraryResult>();
        var master = finance.Master;
        var banks = plan.GroupBy(l => (Division: master.DivisionOf(l.AgencyCode).AdmDivCode, master.Unit(l.AgencyCode).BankCode))
            .OrderBy(g => g.Key.Division, StringComparer.Ordinal).ThenBy(g => g.Key.BankCode, StringComparer.Ordinal)
            .Select(g => (Division: master.Division(g.Key.Division), Bank: master.Bank(g.Key.BankCode), Lines: g.ToList(), Notice: $"ED{g.Key.BankCode}{master.StYear}{month:D2}"))
            .ToList();

        // 预算指标: the month's new lines (a rerun's are drawn already) must fit what is left of their indicators.
        var fresh = banks.Where(b => finance.Library.FindOwn(QuotaKey(finance, b.Division, b.Notice)) is null).ToList();
        if (BudgetIndicators.Shortfall(finance, fresh.SelectMany(b => b.Lines)) is { } shortfall)
        {
            finance.Library.Run(s =>
            {
                s.AuditRefusal(FinanceContext.Entry, "quota-refused", $"quota/{finance.Master.StYear}/{month:D2}", shortfall);
                return LibraryResult.Done(0);
            });
            return [LibraryResult.Refused(LibraryRejection.InvalidVoucher, shortfall)];
        }

        foreach (var (division, bank, lines, notice) in banks)
        {
            var party = PartyId.Parse($"bank-{bank.BankCode}");
            var (entry, approval) = finance.LogInShift(division.AdmDivCode);
            using var session = finance.Library.Begin();
            if (finance.Library.FindOwn(session, QuotaKey(finance, division, notice)) is null)
            {
                BudgetIndicators.Draw(session, finance, $"5105/{notice}", lines, entry, approval);
            }

            results.Add(finance.Library.Issue(session, QuotaNotice(finance, division, "5105", notice, month, vouDate, bank, lines), [party], entry, approval).ThrowIfRefused());
            results.Add(finance.Library.Issue(session, QuotaNotice(finance, division, "5106", $"QS{bank.BankCode}{master.StYear}{month:D2}", month, vouDate, bank, lines), [PartyId.Pboc], entry, approval).ThrowIfRefused());
            session.Commit();
        }

        return results;
    }

    private static VoucherKey QuotaKey(FinanceContext finance, Division division, string voucherNo) => new(
        Domain.Codes.AdmDivCode.Parse(division.AdmDivCode), new Domain.Codes.StYear(finance.Master.StYear), Domain.Codes.VtCode.Parse("5105"), Domain.Codes.VoucherNo.Parse(voucherNo));

    private static Voucher QuotaNotice(FinanceContext finance, Division division, string vtCode, string voucherNo, int month, DateOnly vouDate, AgentBank bank, IReadOnlyList<QuotaPlanLine> lines)
    {
        var total = Amount.Sum(lines.Select(l => l.Amount));
        List<VoucherField> header =
        [
            .. division.VoucherHeader(finance.Master.StYear, vtCode, voucherNo, FinanceContext.Date(vouDate)),
            new("TreCode", division.TreCode),
            new("FinOrgCode", division.FinOrgCode),
            new("FundTypeCode", "1"),
            new("FundTypeName", "一般公共预算资金"),
        ];
        if (vtCode == "5105")
        {
            header.AddRange(
            [
                new("PayTypeCode", "12"),
                new("PayTypeName", "授权支付"),
                new("SetMonth", FinanceContext.Text(month)),
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
                new("PayAcctNo", division.TreasuryAccountNo),
                new("PayAcctName", division.TreasuryAccountName),
                new("PayeeAcctNo", bank.ClearingAccountNo),
                new("PayeeAcctName", $"{bank.Name}财政授权支付清算户"),
                new("SetMonth", FinanceContext.Text(month)),
                new("DeptNum", FinanceContext.Text(lines.Select(l => finance.Master.Unit(l.AgencyCode).SupDepCode).Distinct().Count())),
                new("ClearBankCode", "001"),
                new("ClearBankName", finance.Master.PbocName),
                new("PayBankCode", bank.BankCode),
                new("PayBankName", bank.Name),
                new("PayBankNo", bank.BankNo),
            ]);
        }

        var details = lines.Select((l, i) =>
        {
            var unit = finance.Master.Unit(l.AgencyCode);
            var fields = new List<VoucherField>
            {
                new("Id", FinanceContext.Text(i + 1)),
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
}
