using System.Text;
using Dapper;
using OpenTreasury.Business.Finance;
using OpenTreasury.Business.Pboc;
using OpenTreasury.Business.Statements;
using OpenTreasury.Domain.Money;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>清算信息对账: PBOC's 3507 to Finance and each bank, answered with a 5507 / 2507 that PBOC records.</summary>
public sealed class ClearingReconciliationTests : IDisposable
{
    private static readonly DateOnly Day = TestNetwork.BusinessDate;

    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    private FinanceDesk Finance => _net.Finance.FinanceDesk!;

    private PbocDesk Pboc => _net.Pboc.PbocDesk!;

    /// <summary>An authorized payment at each bank and a direct payment at bank 102, all cleared by PBOC.</summary>
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
        var sent = Pboc.SendClearingReconciliation(Day, Day);
        await _net.SettleAndProcessAsync();
        await _net.SettleAndProcessAsync();
        return sent;
    }

    private static string Reasons(Domain.Vouchers.Voucher answer) =>
        string.Join("; ", answer.Details.Where(d => d["XCheckResult"] != "0").Select(d => d["XCheckReason"]));

    [Fact]
    public async Task A_cleared_day_is_stated_to_finance_and_each_bank_and_every_answer_matches()
    {
        await RunTheDayAsync();

        var sent = await ReconcileAsync();

        Assert.Equal(3, sent.Count); // Finance, bank 102, bank 103
        var toFinance = Assert.Single(_net.Finance.Library.List("3507")).Content;
        Assert.Equal("3", toFinance["AllNum"]);
        Assert.Equal("4534.50", toFinance["AllAmt"]);
        var authorized = Assert.Single(toFinance.Details, d => d["PayBankCode"] == "102" && d["PayTypeCode"] == "12");
        Assert.Equal(("1234.50", "5000.00", "3765.50", TestNetwork.Agency), (authorized["PayAmt"], authorized["PlanAmt"], authorized["PlanRemainAmt"], authorized["Hold1"]));
        Assert.StartsWith("HK102", authorized["PayAgentBillNo"], StringComparison.Ordinal);
        Assert.Single(toFinance.Details, d => d["PayBankCode"] == "102" && d["PayTypeCode"] == "11" && d["PayAmt"] == "2500.00");
        Assert.Equal("2", Assert.Single(_net.Bank102.Library.List("3507")).Content["AllNum"]);
        Assert.Equal("1", Assert.Single(_net.Bank103.Library.List("3507")).Content["AllNum"]);

        var finance = Assert.Single(_net.Finance.Library.List("5507")).Content;
        Assert.Equal(("0", "0", "3"), (finance["XCheckResult"], finance["XDiffNum"], finance["AllNum"]));
        Assert.All(finance.Details, d => Assert.Equal("0", d["XCheckResult"]));
        foreach (var bank in new[] { _net.Bank102, _net.Bank103 })
        {
            var answer = Assert.Single(bank.Library.List("2507")).Content;
            Assert.True(answer["XCheckResult"] == "0", Reasons(answer));
            Assert.Equal("0", answer["XDiffNum"]);
            Assert.All(bank.Library.List("3507"), v => Assert.Equal("signed_for", v.State));
        }

        var recorded = Pboc.ClearingReconciliations();
        Assert.Equal(["2507", "2507", "5507"], recorded.Select(r => r.VtCode).Order(StringComparer.Ordinal));
        Assert.All(recorded, r => Assert.Equal((0, 0), (r.XCheckResult, r.XDiffNum)));
        Assert.Equal(0, TestNetwork.Count(_net.Pboc,
            "SELECT COUNT(*) FROM vouchers v JOIN deliveries d ON d.voucher_id = v.id WHERE v.vt_code = '3507' AND d.status <> 3"));
        Assert.All(_net.Pboc.Library.List("5507").Concat(_net.Pboc.Library.List("2507")), v => Assert.Equal("signed_for", v.State));
    }

    [Fact]
    public async Task A_clearing_line_that_differs_is_answered_with_a_mismatch_naming_the_2301()
    {
        await RunTheDayAsync();
        // Simulate a bank record that differs: bank 103's own 2301 says 799.00 where PBOC cleared 800.00.
        var request = Assert.Single(_net.Bank103.Library.List("2301"), v => v.Origin == "own" && !v.IsReply);
        var edited = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(request.InnerXml).Replace("800.00", "799.00", StringComparison.Ordinal));
        using (var connection = _net.Bank103.Library.Database.Connect())
        {
            Assert.Equal(1, connection.Execute("UPDATE vouchers SET inner_xml = @edited WHERE id = @id", new { edited, id = request.Id }));
        }

        await ReconcileAsync();

        var answer = Assert.Single(_net.Bank103.Library.List("2507")).Content;
        Assert.Equal(("1", "1"), (answer["XCheckResult"], answer["XDiffNum"]));
        var line = Assert.Single(answer.Details);
        Assert.Equal("1", line["XCheckResult"]);
        Assert.Contains(request.VoucherNo, line["XCheckReason"], StringComparison.Ordinal);
        Assert.Contains("PayAmt 800.00 on the statement, 799.00 in our records", line["XCheckReason"], StringComparison.Ordinal);
        Assert.Equal("0", Assert.Single(_net.Finance.Library.List("5507")).Content["XCheckResult"]);
        Assert.Equal("0", Assert.Single(_net.Bank102.Library.List("2507")).Content["XCheckResult"]);
        var recorded = Assert.Single(Pboc.ClearingReconciliations(), r => r.Party == "bank-103");
        Assert.Equal((1, 1), (recorded.XCheckResult, recorded.XDiffNum));
    }

    [Fact]
    public async Task A_clearing_finance_does_not_hold_is_named_in_its_5507()
    {
        await RunTheDayAsync();
        // Simulate a lost record: the 回单 of bank 103's 2301 Finance holds names another request.
        var receipt = Assert.Single(_net.Finance.Library.List("2301"), v => v.IsReply && v.Content["PayBankNo"] == _net.Master.Bank("103").BankNo);
        var edited = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(receipt.InnerXml).Replace(receipt.VoucherNo, "HK103LOST", StringComparison.Ordinal));
        using (var connection = _net.Finance.Library.Database.Connect())
        {
            Assert.Equal(1, connection.Execute("UPDATE vouchers SET inner_xml = @edited WHERE id = @id", new { edited, id = receipt.Id }));
        }

        await ReconcileAsync();

        var answer = Assert.Single(_net.Finance.Library.List("5507")).Content;
        Assert.Equal(("1", "1"), (answer["XCheckResult"], answer["XDiffNum"]));
        var line = Assert.Single(answer.Details, d => d["XCheckResult"] == "1");
        Assert.Equal($"{receipt.VoucherNo} 103001/2100101: 本方无此清算记录", line["XCheckReason"]);
        Assert.Equal((1, 1), Pboc.ClearingReconciliations().Where(r => r.VtCode == "5507").Select(r => (r.XCheckResult, r.XDiffNum)).Single());
    }

    [Fact]
    public async Task Rerunning_the_clearing_statement_sends_nothing_twice()
    {
        await RunTheDayAsync();
        var first = await ReconcileAsync();
        var vouchers = TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM vouchers");
        var outbox = TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM outbox WHERE kind = 'voucher'");

        var second = await ReconcileAsync();

        Assert.Equal(first.Select(r => r.VoucherId), second.Select(r => r.VoucherId));
        Assert.Equal(vouchers, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM vouchers"));
        Assert.Equal(outbox, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM outbox WHERE kind = 'voucher'"));
        Assert.Single(_net.Finance.Library.List("5507"));
        Assert.Equal(3, Pboc.ClearingReconciliations().Count);
    }

    [Fact]
    public void A_period_with_nothing_cleared_sends_no_statement() =>
        Assert.Empty(Pboc.SendClearingReconciliation(Day, Day));
}
