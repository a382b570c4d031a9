using Dapper;
using OpenTreasury.Business;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Domain.Vouchers;
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
    [Fact]
    public async Task A_payee_account_the_bank_finds_closed_comes_back_as_a_failed_line_and_is_neither_paid_nor_cleared()
    {
        var order = Order("ZJ-0001", "1000.00") with { MoreLines = [new(TestNetwork.FuncCode, Amount.ParseWire("600.00"), ClosedPayee)] };
        Finance.SubmitDirectPayment(order, Day).ThrowIfRefused();
        await RunTheDayAsync();

        var receipt = Received(_net.Finance, "5201", reply: true).Content;
        Assert.Equal("1600.00", receipt["PayAmt"]);
        Assert.Equal("1000.00", receipt["XPayAmt"]);
        Assert.Contains("1 笔明细支付失败", receipt["XAddWord"], StringComparison.Ordinal);
        Assert.Equal("1000.00", receipt.Details[0]["XPayAmt"]);
        Assert.Null(receipt.Details[0]["XAddWord"]);
        Assert.Equal("0.00", receipt.Details[1]["XPayAmt"]);
        Assert.Contains("已销户", receipt.Details[1]["XAddWord"], StringComparison.Ordinal);
        Assert.Null(receipt.Details[1]["XAgentBusinessNo"]);

        // The bank paid and asked for 1000.00 only; PBOC cleared 1000.00 of the 1600.00 quota.
        Assert.Equal(1, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM bank_direct_payments"));
        var request = Assert.Single(_net.Bank102.Library.List("2301"), v => v.Origin == "own" && !v.IsReply);
        Assert.Equal(("11", "1000.00"), (request.Content["PayTypeCode"], request.Content["PayAmt"]));
        Assert.Equal(160_000, TestNetwork.Count(_net.Pboc, "SELECT SUM(issued_fen) FROM pboc_direct_clearing_quotas"));
        Assert.Equal(100_000, TestNetwork.Count(_net.Pboc, "SELECT SUM(cleared_fen) FROM pboc_direct_clearing_quotas"));

        // The 2209 and the 2206 carry the paid line only.
        var notice = Received(_net.Finance, "2209").Content;
        Assert.Equal("1000.00", notice["PayAmt"]);
        Assert.Equal(GoodPayee.AccountNo, Assert.Single(notice.Details)["PayeeAcctNo"]);
        Assert.Equal("1000.00", Assert.Single(Received(_net.Finance, "2206").Content.Details)["PayAmt"]);

        var books = FinanceBooksReader.Read(_net.Finance.Library, _net.Master, Day);
        var failed = Assert.Single(books.DirectFailed);
        Assert.Equal((ClosedPayee.AccountNo, Amount.ParseWire("600.00")), (failed.PayeeAcctNo, failed.Amount));
        var reconciliation = FinanceReconciliation.Reconcile(books);
        Assert.True(reconciliation.Balanced, string.Join("; ", reconciliation.Mismatches.Select(m => m.Description)));
        Assert.Equal(Amount.ParseWire("1000.00"), reconciliation.DirectPaid);
        Assert.Equal(Amount.ParseWire("1000.00"), reconciliation.DirectCleared);
    }

    [Fact]
    public async Task A_direct_payment_whose_only_payee_fails_is_answered_with_nothing_paid_and_nothing_to_clear()
    {
        Finance.SubmitDirectPayment(Order("ZJ-0001", "80.00", ClosedPayee), Day).ThrowIfRefused();
        await RunTheDayAsync();

        var receipt = Received(_net.Finance, "5201", reply: true).Content;
        Assert.Equal(("0.00", "0.00"), (receipt["XPayAmt"], receipt.Details[0]["XPayAmt"]));
        Assert.Empty(_net.Bank102.Library.List("2301"));
        Assert.Empty(_net.Bank102.Library.List("2209"));
        Assert.Empty(_net.Bank102.Library.List("2206"));
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT SUM(cleared_fen) FROM pboc_direct_clearing_quotas"));
        Assert.True(Reconcile().Balanced);
    }

    [Fact]
    public async Task Direct_and_authorized_payments_of_one_day_are_cleared_in_separate_transfer_requests_by_pay_type()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        Finance.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("300.00")), Day).ThrowIfRefused();
        Finance.SubmitDirectPayment(Order("ZJ-0001", "200.00"), Day).ThrowIfRefused();
        Finance.SubmitDirectPayment(Order("ZJ-0002", "150.00", _net.Master.Payees[1], func: "2010350"), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        var requests = _net.Bank102.BankDesk!.RequestClearing(Day);
        await _net.SettleAndProcessAsync();
        _net.Bank102.BankDesk!.SendDailyReport(Day);
        _net.Bank102.BankDesk!.SendDirectPaymentReports(Day);
        await _net.SettleAndProcessAsync();

        Assert.Equal(2, requests.Count);
        var sent = _net.Bank102.Library.List("2301").Where(v => v.Origin == "own" && !v.IsReply).ToDictionary(v => v.Content["PayTypeCode"]!, v => v);
        Assert.Equal("300.00", sent["12"].Content["PayAmt"]);
        Assert.Equal("350.00", sent["11"].Content["PayAmt"]);
        Assert.Equal(2, sent["11"].Content.Details.Count);
        Assert.All(sent.Values, v => Assert.Equal(VoucherStatus.ReplyArrived, TestNetwork.DeliveryOf(_net.Bank102, v.Id).Status));
        Assert.Equal(30_000, TestNetwork.Count(_net.Pboc, "SELECT SUM(cleared_fen) FROM pboc_clearing_quotas"));
        Assert.Equal(35_000, TestNetwork.Count(_net.Pboc, "SELECT SUM(cleared_fen) FROM pboc_direct_clearing_quotas"));
        Assert.Equal(2, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM pboc_clearings"));
        Assert.Equal(2, _net.Finance.Library.List("2209").Count(v => v.Origin == "received"));
        Assert.Equal("2207", Assert.Single(_net.Finance.Library.List("2207"), v => v.Origin == "received").VtCode);

        var reconciliation = Reconcile();
        Assert.True(reconciliation.Balanced, string.Join("; ", reconciliation.Mismatches.Select(m => m.Description)));
        Assert.Equal((Amount.ParseWire("300.00"), Amount.ParseWire("300.00")), (reconciliation.Paid, reconciliation.Cleared));
        Assert.Equal((Amount.ParseWire("350.00"), Amount.ParseWire("350.00")), (reconciliation.DirectPaid, reconciliation.DirectCleared));
    }

    [Fact]
    public async Task A_type_11_transfer_request_beyond_the_5108_quota_is_returned_and_the_5106_quota_is_not_drawn_on()
    {
        // Plenty of authorized clearing quota (5106) for the same unit × class: a direct request must not use it.
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        Finance.SubmitDirectPayment(Order("ZJ-0001", "500.00"), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        // The bank books one fen more than it paid and asks PBOC for 500.01 against a 5108 of 500.00.
        Execute(_net.Bank102, "UPDATE bank_direct_payments SET amount_fen = amount_fen + 1");
        _net.Bank102.BankDesk!.RequestClearing(Day);
        await _net.SettleAndProcessAsync();

        var first = Assert.Single(_net.Bank102.Library.List("2301"), v => v.Origin == "own");
        var delivery = TestNetwork.DeliveryOf(_net.Bank102, first.Id);
        Assert.Equal(VoucherStatus.Returned, delivery.Status);
        Assert.Contains("ClearingQuotaExceeded", delivery.Reason, StringComparison.Ordinal);
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM pboc_clearings"));
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT SUM(cleared_fen) FROM pboc_direct_clearing_quotas"));
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT SUM(cleared_fen) FROM pboc_clearing_quotas"));

        // Booked right again, the payment is asked for under a new number and cleared; the returned request is voided.
        Execute(_net.Bank102, "UPDATE bank_direct_payments SET amount_fen = amount_fen - 1");
        _net.Bank102.BankDesk!.RequestClearing(Day);
        await _net.SettleAndProcessAsync();

        Assert.Equal("voided", _net.Bank102.Library.Find(first.Id)!.State);
        var second = Assert.Single(_net.Bank102.Library.List("2301"), v => v.Origin == "own" && !v.IsReply && v.Id != first.Id);
        Assert.Equal(VoucherStatus.ReplyArrived, TestNetwork.DeliveryOf(_net.Bank102, second.Id).Status);
        Assert.Equal(50_000, TestNetwork.Count(_net.Pboc, "SELECT SUM(cleared_fen) FROM pboc_direct_clearing_quotas"));
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT SUM(cleared_fen) FROM pboc_clearing_quotas"));
    }

    [Fact]
    public async Task Reconciliation_names_a_direct_payment_missing_from_the_daily_report()
    {
        Finance.SubmitDirectPayment(Order("ZJ-0001", "120.00"), Day).ThrowIfRefused();
        Finance.SubmitDirectPayment(Order("ZJ-0002", "80.00"), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        // The bank leaves ZJ-0002 out of its 2206 (as if marked reported by mistake).
        Execute(_net.Bank102, "UPDATE bank_direct_payments SET reported_in = 'LOST' WHERE voucher_no = 'ZJ-0002'");
        await RunTheDayAsync();

        var reconciliation = Reconcile();
        Assert.False(reconciliation.Balanced);
        var missing = Assert.Single(reconciliation.Mismatches, m => m.Kind == MismatchKind.Missing);
        Assert.Equal(["ZJ-0002"], missing.VoucherNos);
        Assert.Equal(Amount.ParseWire("80.00"), missing.Expected);
        Assert.Contains("ZJ-0002", missing.Description, StringComparison.Ordinal);
        // And the 2206 no longer adds up to what PBOC cleared for that unit × class.
        var clearing = Assert.Single(reconciliation.Mismatches, m => m.Subject.StartsWith("direct clearing", StringComparison.Ordinal));
        Assert.Equal((Amount.ParseWire("120.00"), Amount.ParseWire("200.00")), (clearing.Expected, clearing.Actual));
    }

    [Fact]
    public async Task Each_desk_counts_the_direct_payment_vouchers_it_handled_and_a_second_submission_makes_nothing_twice()
    {
        var first = Finance.SubmitDirectPayment(Order("ZJ-0001", "10.00"), Day).ThrowIfRefused();
        var again = Finance.SubmitDirectPayment(Order("ZJ-0001", "10.00"), Day).ThrowIfRefused();
        Assert.Equal(first.VoucherId, again.VoucherId);
        Assert.Single(_net.Finance.Library.List("5201"));
        Assert.Single(_net.Finance.Library.List("5108"));
        await _net.SettleAsync();

        var bank = _net.Bank102.BankDesk!.ProcessReceived(Day);
        var pboc = _net.Pboc.PbocDesk!.ProcessReceived(Day);
        Assert.Equal((1, 1), (bank.DirectPayments, bank.Handled));
        Assert.Equal((1, 1), (pboc.DirectClearingQuotaNotices, pboc.Handled));
        await _net.SettleAsync();

        var finance = Finance.ProcessReceived();
        Assert.Equal((1, 1, 2), (finance.DirectPaymentReceipts, finance.ClearingReceipts, finance.Handled));

        // The 2209 and 2206 wait for PBOC's 2301 回单 of the line (seed 六).
        _net.Bank102.BankDesk!.RequestClearing(Day);
        await _net.SettleAsync();
        _net.Pboc.PbocDesk!.ProcessReceived(Day);
        await _net.SettleAsync();
        _net.Bank102.BankDesk!.ProcessReceived(Day);
        await _net.SettleAsync();
        Finance.ProcessReceived();
        _net.Bank102.BankDesk!.SendDirectPaymentReports(Day);
        await _net.SettleAsync();
        finance = Finance.ProcessReceived();
        Assert.Equal((1, 1, 2), (finance.CreditNotices, finance.DailyReports, finance.Handled));
    }

    private static void Execute(TreasuryNode node, string sql)
    {
        using var connection = node.Library.Database.Connect();
        connection.Execute(sql);
    }
}
