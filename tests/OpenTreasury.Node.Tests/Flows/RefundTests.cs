using OpenTreasury.Business;
using OpenTreasury.Business.Bank;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Network;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>授权支付退款 and 直接支付退款: 2302 from the bank, PBOC's 回单, quota restored, 2204/2208 or 2203 at Finance.</summary>
public sealed class RefundTests : IDisposable
{
    private static readonly DateOnly Day = TestNetwork.BusinessDate;

    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    private FinanceDesk Finance => _net.Finance.FinanceDesk!;

    private BankDesk Bank => _net.Bank102.BankDesk!;

    private long QuotaPaidFen => TestNetwork.Count(_net.Bank102,
        "SELECT paid_fen FROM bank_quotas WHERE agency_code = @agency AND exp_func_code = @func", new { agency = TestNetwork.Agency, func = TestNetwork.FuncCode });

    private long Refunds => TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM bank_refunds");

    /// <summary>Quota of 1000.00, an 8202 of 300.00 paid and cleared.</summary>
    private async Task PayAndClearAuthorizedAsync()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        Finance.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("300.00")), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        Bank.RequestClearing(Day);
        await _net.SettleAndProcessAsync();
    }

    private static StoredVoucher Received(TreasuryNode node, string vtCode, bool reply = false) =>
        Assert.Single(node.Library.List(vtCode), v => v.Origin == "received" && v.IsReply == reply);

    [Fact]
    public async Task An_authorized_refund_restores_the_quota_only_when_PBOCs_receipt_arrives_and_Finance_gets_2204_and_2208()
    {
        await PayAndClearAuthorizedAsync();
        Assert.Equal(30_000, QuotaPaidFen);
        Assert.Equal(30_000, TestNetwork.Count(_net.Pboc, "SELECT SUM(cleared_fen) FROM pboc_clearing_quotas"));

        var issued = Bank.RefundPayment("TK-0001", "ZF-0001", 1, Amount.ParseWire("120.00"), "收款人账户信息有误, 款项退回", Day).ThrowIfRefused();

        // The 2302 reaches PBOC and PBOC credits it; the bank has not yet worked the 回单: quota unchanged.
        await _net.SettleAsync();
        var pboc = _net.Pboc.PbocDesk!.ProcessReceived(Day);
        Assert.Equal(1, pboc.Refunds);
        Assert.Equal(18_000, TestNetwork.Count(_net.Pboc, "SELECT SUM(cleared_fen) FROM pboc_clearing_quotas"));
        Assert.Equal(1, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM pboc_refunds WHERE voucher_no = 'TK-0001' AND amount_fen = 12000 AND pay_type = '12'"));
        await _net.SettleAsync();
        Assert.Equal(30_000, QuotaPaidFen);

        // The bank signs for the 回单: quota restored, 2204 and 2208 to Finance.
        var bank = Bank.ProcessReceived(Day);
        Assert.Equal(1, bank.RefundReceipts);
        Assert.Equal(18_000, QuotaPaidFen);
        await _net.SettleAndProcessAsync();

        var request = _net.Bank102.Library.Find(issued.VoucherId)!;
        Assert.Equal("12", request.Content["PayTypeCode"]);
        Assert.Equal("-120.00", request.Content["PayAmt"]);
        var detail = Assert.Single(request.Content.Details);
        Assert.Equal(("ZF-0001", "1", "-120.00", TestNetwork.Agency), (detail["OriVoucherNo"], detail["OriVouDetailNo"], detail["PayAmt"], detail["AgencyCode"]));
        Assert.Equal(VoucherStatus.ReplyArrived, TestNetwork.DeliveryOf(_net.Bank102, issued.VoucherId).Status);

        var receipt = Received(_net.Finance, "2302", reply: true);
        Assert.Equal("signed_for", receipt.State);
        Assert.Equal(("20260302", "-120.00"), (receipt.Content["XClearDate"], receipt.Content["XPayAmt"]));
        var notice = Received(_net.Finance, "2204");
        Assert.Equal("signed_for", notice.State);
        Assert.Equal(("ZF-0001", "-120.00"), (notice.Content["OriBillNo"], notice.Content["PayAmt"]));
        var report = Received(_net.Finance, "2208");
        Assert.Equal("signed_for", report.State);
        Assert.Equal(("TK-0001", "ZF-0001", "-120.00"), (report.Content.Details[0]["VoucherNo"], report.Content.Details[0]["OriVoucherNo"], report.Content.Details[0]["PayAmt"]));
        Assert.Empty(_net.Finance.Library.List("2203"));
        Assert.Equal(1, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM bank_refunds WHERE credited_date = '20260302' AND notice_no IS NOT NULL AND report_no IS NOT NULL"));

        // The restored quota can be paid again.
        Finance.SubmitPayment(_net.Order("ZF-0002", Amount.ParseWire("820.00")), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        Assert.Equal(100_000, QuotaPaidFen);
    }

    [Fact]
    public async Task A_direct_refund_goes_back_to_the_5108_ledger_and_Finance_gets_2203()
    {
        var order = new DirectPaymentOrder("ZJ-0001", TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("2500.00"), _net.Master.Payees[0], "办公设备采购");
        Finance.SubmitDirectPayment(order, Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        Bank.RequestClearing(Day);
        await _net.SettleAndProcessAsync();

        var issued = Bank.RefundPayment("TK-0002", "ZJ-0001", 1, Amount.ParseWire("500.00"), "合同取消, 收款人退回", Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        Assert.Equal("11", _net.Bank102.Library.Find(issued.VoucherId)!.Content["PayTypeCode"]);
        Assert.Equal(VoucherStatus.ReplyArrived, TestNetwork.DeliveryOf(_net.Bank102, issued.VoucherId).Status);
        Assert.Equal(200_000, TestNetwork.Count(_net.Pboc, "SELECT SUM(cleared_fen) FROM pboc_direct_clearing_quotas"));
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT COALESCE(SUM(cleared_fen), 0) FROM pboc_clearing_quotas"));
        Assert.Equal("signed_for", Received(_net.Finance, "2302", reply: true).State);
        var notice = Received(_net.Finance, "2203");
        Assert.Equal("signed_for", notice.State);
        Assert.Equal(("ZJ-0001", "-500.00"), (notice.Content["OriBillNo"], notice.Content["PayAmt"]));
        Assert.Empty(_net.Finance.Library.List("2204"));
        Assert.Empty(_net.Finance.Library.List("2208"));
        Assert.Equal(0, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM bank_quotas"));
    }

    [Fact]
    public async Task A_refund_beyond_what_was_paid_is_refused_and_changes_nothing()
    {
        await PayAndClearAuthorizedAsync();
        var vouchers = TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM vouchers");

        var refused = Bank.RefundPayment("TK-0001", "ZF-0001", 1, Amount.ParseWire("300.01"), "退回", Day);
        Assert.False(refused.Ok);
        Assert.Contains("RefundExceedsPaid", refused.Message, StringComparison.Ordinal);

        var unknown = Bank.RefundPayment("TK-0002", "ZF-9999", 1, Amount.ParseWire("1.00"), "退回", Day);
        Assert.False(unknown.Ok);
        Assert.Contains("RefundOfUnpaidLine", unknown.Message, StringComparison.Ordinal);

        await _net.SettleAndProcessAsync();
        Assert.Equal(0, Refunds);
        Assert.Equal(vouchers, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM vouchers"));
        Assert.Empty(_net.Pboc.Library.List("2302"));
        Assert.Equal(30_000, QuotaPaidFen);
    }

    [Fact]
    public async Task A_paid_line_not_yet_cleared_cannot_be_refunded()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        Finance.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("300.00")), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        var refused = Bank.RefundPayment("TK-0001", "ZF-0001", 1, Amount.ParseWire("10.00"), "退回", Day);

        Assert.False(refused.Ok);
        Assert.Contains("RefundOfUnclearedLine", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, Refunds);
    }

    [Fact]
    public async Task Partial_refunds_work_up_to_the_paid_amount_and_one_more_is_refused()
    {
        await PayAndClearAuthorizedAsync();

        Bank.RefundPayment("TK-0001", "ZF-0001", 1, Amount.ParseWire("100.00"), "部分退回", Day).ThrowIfRefused();
        Bank.RefundPayment("TK-0002", "ZF-0001", 1, Amount.ParseWire("200.00"), "余款退回", Day).ThrowIfRefused();
        var third = Bank.RefundPayment("TK-0003", "ZF-0001", 1, Amount.ParseWire("0.01"), "再退", Day);
        await _net.SettleAndProcessAsync();

        Assert.False(third.Ok);
        Assert.Contains("RefundExceedsPaid", third.Message, StringComparison.Ordinal);
        Assert.Equal(2, Refunds);
        Assert.Equal(0, QuotaPaidFen);
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT SUM(cleared_fen) FROM pboc_clearing_quotas"));
        Assert.Equal(2, _net.Finance.Library.List("2204").Count(v => v.Origin == "received" && v.State == "signed_for"));
        Assert.Equal(2, _net.Finance.Library.List("2208").Count(v => v.Origin == "received" && v.State == "signed_for"));
    }

    [Fact]
    public async Task The_same_refund_number_twice_books_once()
    {
        await PayAndClearAuthorizedAsync();

        var first = Bank.RefundPayment("TK-0001", "ZF-0001", 1, Amount.ParseWire("100.00"), "退回", Day).ThrowIfRefused();
        var again = Bank.RefundPayment("TK-0001", "ZF-0001", 1, Amount.ParseWire("100.00"), "退回", Day).ThrowIfRefused();
        var changed = Bank.RefundPayment("TK-0001", "ZF-0001", 1, Amount.ParseWire("50.00"), "退回", Day);
        await _net.SettleAndProcessAsync();

        Assert.Equal(first.VoucherId, again.VoucherId);
        Assert.False(changed.Ok);
        Assert.Equal(1, Refunds);
        Assert.Single(_net.Bank102.Library.List("2302"), v => v.Origin == "own" && !v.IsReply);
        Assert.Single(_net.Pboc.Library.List("2302"), v => v.Origin == "received");
        Assert.Equal(1, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM pboc_refunds"));
        Assert.Equal(20_000, QuotaPaidFen);
        Assert.Equal(20_000, TestNetwork.Count(_net.Pboc, "SELECT SUM(cleared_fen) FROM pboc_clearing_quotas"));
        Assert.Single(_net.Finance.Library.List("2204"), v => v.Origin == "received");
    }
}
