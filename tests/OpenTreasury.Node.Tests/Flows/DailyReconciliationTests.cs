using Dapper;
using OpenTreasury.Business.Finance;
using OpenTreasury.Business.Pboc;
using OpenTreasury.Business.Statements;
using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>凭证对账 at the end of the day: PBOC's 3501/4004 to Finance and 3502/4005 to each bank, checked at each.</summary>
public sealed class DailyReconciliationTests : IDisposable
{
    private static readonly DateOnly Day = TestNetwork.BusinessDate;

    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    private FinanceDesk Finance => _net.Finance.FinanceDesk!;

    private PbocDesk Pboc => _net.Pboc.PbocDesk!;

    /// <summary>
    /// Quota for a unit at each bank, an authorized payment at each, a direct payment at bank 102; the banks ask
    /// PBOC to clear, PBOC clears and sends its 回单 to the bank and to Finance.
    /// </summary>
    private async Task RunTheDayAsync()
    {
        await _net.IssueQuotaAsync(
            new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("5000.00")),
            new QuotaPlanLine("103001", "2100101", Amount.ParseWire("3000.00")));
        Finance.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("1234.50")), Day).ThrowIfRefused();
        Finance.SubmitPayment(_net.Order("ZF-0002", Amount.ParseWire("800.00"), "103001", "2100101"), Day).ThrowIfRefused();
        Finance.SubmitDirectPayment(new DirectPaymentOrder("ZJ-0001", TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("2500.00"), _net.Master.Payees[0], "办公设备采购"), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        _net.Bank102.BankDesk!.RequestClearing(Day);
        _net.Bank103.BankDesk!.RequestClearing(Day);
        await _net.SettleAndProcessAsync();
    }

    private async Task<IReadOnlyList<LibraryResult>> ReconcileAsync()
    {
        var sent = Pboc.SendVoucherReconciliation(Day);
        await _net.SettleAndProcessAsync();
        return sent;
    }

    private static string Explain(IReadOnlyList<StatementCheck> checks) =>
        string.Join("; ", checks.Where(c => !c.Balanced).Select(c => $"{c.StatementNo}: {c.Mismatches}"));

    private static string[] Types(IReadOnlyList<StatementCheck> checks, string statementVtCode) =>
        [.. checks.Where(c => c.StatementVtCode == statementVtCode).Select(c => c.EVoucherType!).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task A_normal_day_is_stated_per_type_to_finance_and_each_bank_and_balances_everywhere()
    {
        await RunTheDayAsync();

        var sent = await ReconcileAsync();

        // To Finance: 2301 (the 回单 passed on, both pay types), 5106, 5108, and a 4004; to each bank: 2301 and a 4005.
        Assert.Equal(3 + 1 + 2 * (1 + 1), sent.Count);
        var finance = Finance.VoucherReconciliations(Day);
        Assert.Equal(["2301", "5106", "5108"], Types(finance, "3501"));
        Assert.Single(finance, c => c.StatementVtCode == "4004");
        Assert.True(finance.All(c => c.Balanced), Explain(finance));
        foreach (var bank in new[] { _net.Bank102, _net.Bank103 })
        {
            var checks = bank.BankDesk!.VoucherReconciliations(Day);
            Assert.Equal(["2301"], Types(checks, "3502"));
            Assert.Single(checks, c => c.StatementVtCode == "4005");
            Assert.True(checks.All(c => c.Balanced), Explain(checks));
        }

        // The 3501 of 2301 lists both 回单 passed on to Finance: bank 102's two requests (12 and 11) and bank 103's one.
        var statement = Assert.Single(_net.Finance.Library.List("3501"), v => v.Content["EVoucherType"] == "2301").Content;
        Assert.Equal("3", statement["AllNum"]);
        Assert.Equal("4534.50", statement["AllAmt"]);
        Assert.All(statement.Details, d => Assert.Equal("12", d["ProState"]));
        var totals = Assert.Single(_net.Bank102.Library.List("4005")).Content;
        var line = Assert.Single(totals.Details);
        Assert.Equal(("2301", "2", "3734.50"), (line["EVoucherType"], line["AllNum"], line["AllAmt"]));

        // Every statement was signed for, so PBOC sees each at 3.
        Assert.Equal(0, TestNetwork.Count(_net.Pboc,
            "SELECT COUNT(*) FROM vouchers v JOIN deliveries d ON d.voucher_id = v.id WHERE v.vt_code IN ('3501', '3502', '4004', '4005') AND d.status <> 3"));
        Assert.Equal(sent.Count, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM vouchers WHERE vt_code IN ('3501', '3502', '4004', '4005')"));
    }

    [Fact]
    public async Task A_voucher_finance_does_not_hold_for_the_day_is_found_missing_and_named()
    {
        await RunTheDayAsync();
        // Simulate a lost record: Finance's 5106 for bank 102 is no longer of this day in its library.
        const string Lost = "QS102202603";
        using (var connection = _net.Finance.Library.Database.Connect())
        {
            Assert.Equal(1, connection.Execute("UPDATE vouchers SET vou_date = '20260301' WHERE origin = 'own' AND vt_code = '5106' AND voucher_no = @no", new { no = Lost }));
        }

        await ReconcileAsync();

        var checks = Finance.VoucherReconciliations(Day);
        var quota = Assert.Single(checks, c => c.EVoucherType == "5106");
        Assert.False(quota.Balanced);
        Assert.Equal(1, quota.MismatchCount);
        Assert.StartsWith($"Missing: {Lost}:", quota.Mismatches, StringComparison.Ordinal);
        var day = Assert.Single(checks, c => c.StatementVtCode == "4004");
        Assert.False(day.Balanced);
        Assert.Contains("CountDiffers: 5106", day.Mismatches, StringComparison.Ordinal);
        Assert.Contains("AmountDiffers: 5106", day.Mismatches, StringComparison.Ordinal);
        Assert.All(checks.Where(c => c.EVoucherType is "2301" or "5108"), c => Assert.True(c.Balanced, c.Mismatches));
        Assert.All(_net.Bank102.BankDesk!.VoucherReconciliations(Day), c => Assert.True(c.Balanced, c.Mismatches));
        // Signed for all the same: a statement that does not balance is looked into, not refused.
        Assert.All(_net.Finance.Library.List("3501"), v => Assert.Equal("signed_for", v.State));
    }

    [Fact]
    public async Task A_status_that_differs_is_found_and_named()
    {
        await RunTheDayAsync();
        // Bank 103's library has its 2301 as only signed for (3), where PBOC answered it with a 回单 (12).
        var request = Assert.Single(_net.Bank103.Library.List("2301"), v => v.Origin == "own" && !v.IsReply);
        using (var connection = _net.Bank103.Library.Database.Connect())
        {
            connection.Execute("UPDATE deliveries SET status = 3 WHERE voucher_id = @id", new { id = request.Id });
        }

        await ReconcileAsync();

        var check = Assert.Single(_net.Bank103.BankDesk!.VoucherReconciliations(Day), c => c.StatementVtCode == "3502");
        Assert.False(check.Balanced);
        Assert.Equal($"StatusDiffers: {request.VoucherNo}: status 12 on their statement, 3 in our library", check.Mismatches);
        Assert.True(Assert.Single(_net.Bank103.BankDesk!.VoucherReconciliations(Day), c => c.StatementVtCode == "4005").Balanced);
    }

    [Fact]
    public async Task Rerunning_the_statements_sends_nothing_twice()
    {
        await RunTheDayAsync();
        var first = await ReconcileAsync();
        var vouchers = TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM vouchers");
        var outbox = TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM outbox WHERE kind = 'voucher'");

        var second = await ReconcileAsync();

        Assert.Equal(first.Select(r => r.VoucherId), second.Select(r => r.VoucherId));
        Assert.Equal(vouchers, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM vouchers"));
        Assert.Equal(outbox, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM outbox WHERE kind = 'voucher'"));
        Assert.Equal(4, Finance.VoucherReconciliations(Day).Count);
        Assert.Equal(2, _net.Bank102.BankDesk!.VoucherReconciliations(Day).Count);
    }

    [Fact]
    public async Task An_allocation_returned_voided_and_reissued_and_a_refund_balance_at_finance()
    {
        AllocationLine[] lines = [new(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("300.00"))];
        Finance.IssueAllocation(new AllocationOrder("SB-0001", new("53001638736050000000", "芒市已销户商行", "中国建设银行芒市支行", "105751000016"), lines, "实拨经费"), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        Finance.ReissueAllocation("SB-0001", "SB-0002", Day, _net.Master.Payees[0], "收款账户已更正").ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        Pboc.SendAllocationRefund("SB-0002", Amount.ParseWire("100.00"), "收款单位退回多拨款项", "TK-0001", Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        await ReconcileAsync();

        // PBOC states SB-0001 returned (5) and Finance holds it voided (99): that agrees; SB-0002 has its 回单 (12).
        var checks = Finance.VoucherReconciliations(Day);
        Assert.Equal(["3208", "5207"], Types(checks, "3501"));
        Assert.True(checks.All(c => c.Balanced), Explain(checks));
        var allocations = Assert.Single(_net.Finance.Library.List("3501"), v => v.Content["EVoucherType"] == "5207").Content;
        Assert.Equal([("SB-0001", "5"), ("SB-0002", "12")], allocations.Details.Select(d => (d["VoucherNo"]!, d["ProState"]!)));
    }

    [Fact]
    public void A_day_with_nothing_exchanged_sends_no_statement()
    {
        Assert.Empty(Pboc.SendVoucherReconciliation(Day));
        Assert.Empty(_net.Pboc.Library.List("3501"));
    }
}
