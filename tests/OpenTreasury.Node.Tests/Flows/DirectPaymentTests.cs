using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Finance;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>直接支付 across the four parties: 5201 and 5108, the bank's 回单, 2301 of PayTypeCode 11, 2209 and 2206, reconciliation.</summary>
public sealed class DirectPaymentTests : IDisposable
{
    private static readonly DateOnly Day = TestNetwork.BusinessDate;

    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    private FinanceDesk Finance => _net.Finance.FinanceDesk!;

    private Payee GoodPayee => _net.Master.Payees[0];

    /// <summary>A payee whose account the bank's account check finds closed (the number ends in 0000).</summary>
    private static Payee ClosedPayee => new("53001638736050010000", "芒市已注销商行", "中国建设银行芒市支行", "105751000016");

    private DirectPaymentOrder Order(string voucherNo, string amount, Payee? payee = null, string func = TestNetwork.FuncCode) =>
        new(voucherNo, TestNetwork.Agency, func, Amount.ParseWire(amount), payee ?? GoodPayee, "办公设备采购");

    /// <summary>Pays, clears and reports the day: the bank pays, asks PBOC to clear, then sends its notices and reports.</summary>
    private async Task RunTheDayAsync()
    {
        await _net.SettleAndProcessAsync();
        _net.Bank102.BankDesk!.RequestClearing(Day);
        await _net.SettleAndProcessAsync();
        _net.Bank102.BankDesk!.SendDirectPaymentReports(Day);
        await _net.SettleAndProcessAsync();
    }

    private ReconciliationReport Reconcile() => FinanceReconciliation.Reconcile(FinanceBooksReader.Read(_net.Finance.Library, _net.Master, Day));

    private static StoredVoucher Received(TreasuryNode node, string vtCode, bool reply = false) =>
        Assert.Single(node.Library.List(vtCode), v => v.Origin == "received" && v.IsReply == reply);

    [Fact]
    public async Task A_direct_payment_is_paid_answered_cleared_once_reported_and_balances()
    {
        var issued = Finance.SubmitDirectPayment(Order("ZJ-0001", "2500.00"), Day).ThrowIfRefused();
        await RunTheDayAsync();

        // Finance: its 5201 has its 回单 (12), with the bank's X-fields; Finance signed for it.
        Assert.Equal(VoucherStatus.ReplyArrived, TestNetwork.DeliveryOf(_net.Finance, issued.VoucherId).Status);
        var receipt = Received(_net.Finance, "5201", reply: true);
        Assert.Equal("signed_for", receipt.State);
        var content = receipt.Content;
        Assert.Equal("2500.00", content["XPayAmt"]);
        Assert.Equal("20260302", content["XPayDate"]);
        Assert.False(string.IsNullOrEmpty(content["XAgentBusinessNo"]));
        var line = Assert.Single(content.Details);
        Assert.Equal("2500.00", line["XPayAmt"]);
        Assert.Equal(content["XAgentBusinessNo"], line["XAgentBusinessNo"]);

        // The 5108 went to PBOC with the same voucher and came back answered.
        var quota = Assert.Single(_net.Finance.Library.List("5108"), v => v.Origin == "own");
        Assert.Equal(VoucherStatus.ReplyArrived, TestNetwork.DeliveryOf(_net.Finance, quota.Id).Status);
        Assert.Equal("signed_for", Received(_net.Finance, "5108", reply: true).State);
        Assert.Equal(250_000, TestNetwork.Count(_net.Pboc, "SELECT SUM(issued_fen) FROM pboc_direct_clearing_quotas"));
        Assert.Equal(250_000, TestNetwork.Count(_net.Pboc, "SELECT SUM(cleared_fen) FROM pboc_direct_clearing_quotas"));
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM pboc_clearing_quotas WHERE cleared_fen > 0"));

        // One 2301 of PayTypeCode 11, cleared once, its 回单 at the bank and at Finance.
        var request = Assert.Single(_net.Bank102.Library.List("2301"), v => v.Origin == "own" && !v.IsReply);
        Assert.Equal("11", request.Content["PayTypeCode"]);
        Assert.Equal("2500.00", request.Content["PayAmt"]);
        Assert.Equal(VoucherStatus.ReplyArrived, TestNetwork.DeliveryOf(_net.Bank102, request.Id).Status);
        Assert.Equal(1, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM pboc_clearings WHERE voucher_no = @no AND amount_fen = 250000", new { no = request.VoucherNo }));
        Assert.Equal(0, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM bank_direct_payments WHERE cleared_date IS NULL"));
        Assert.Equal("signed_for", Received(_net.Finance, "2301", reply: true).State);

        // The 2209 (the unit reads it) and the 2206 reached Finance and were signed for.
        var notice = Received(_net.Finance, "2209");
        Assert.Equal("signed_for", notice.State);
        Assert.Equal("ZJ-0001", notice.Content["OriBillNo"]);
        Assert.Equal("2500.00", notice.Content["PayAmt"]);
        var report = Received(_net.Finance, "2206");
        Assert.Equal("signed_for", report.State);
        Assert.Equal("11", report.Content["PayTypeCode"]);
        Assert.Equal("ZJ-0001", Assert.Single(report.Content.Details)["VoucherNo"]);

        var reconciliation = Reconcile();
        Assert.True(reconciliation.Balanced, string.Join("; ", reconciliation.Mismatches.Select(m => m.Description)));
        Assert.Equal(Amount.ParseWire("2500.00"), reconciliation.DirectPaid);
        Assert.Equal(Amount.ParseWire("2500.00"), reconciliation.DirectCleared);
        Assert.Equal(Amount.Zero, reconciliation.Cleared);
    }
}
