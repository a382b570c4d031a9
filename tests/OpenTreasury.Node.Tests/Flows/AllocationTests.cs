using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Network;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>实拨: 5207 paid from the treasury or returned, void and reissue, and 3208 allocation refunds.</summary>
public sealed class AllocationTests : IDisposable
{
    private const string Agency2 = "102001";
    private const string Func2 = "2050201";

    private readonly TestNetwork _net = new(openTreasury: false);

    public void Dispose() => _net.Dispose();

    private FinanceDesk Finance => _net.Finance.FinanceDesk!;

    private Business.Pboc.PbocDesk Pboc => _net.Pboc.PbocDesk!;

    private static Payee ClosedPayee => new("53001638736050000000", "芒市已销户商行", "中国建设银行芒市支行", "105751000016");

    private AllocationOrder Order(string voucherNo, Payee? payee = null, params AllocationLine[] lines) =>
        new(voucherNo, payee ?? _net.Master.Payees[0], lines.Length > 0 ? lines : [new(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("300.00")), new(Agency2, Func2, Amount.ParseWire("200.00"))], "实拨经费");

    private async Task<LibraryResult> AllocateAsync(AllocationOrder order)
    {
        var result = Finance.IssueAllocation(order, TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        return result;
    }

    private long PbocDelivery3208(long id) => (long)TestNetwork.DeliveryOf(_net.Pboc, id).Status;

    [Fact]
    public async Task An_allocation_is_paid_from_the_treasury_and_its_stamped_receipt_reaches_Finance_with_the_X_fields()
    {
        Pboc.OpenTreasuryAccount(Amount.ParseWire("100000.00")).ThrowIfRefused();

        var issued = await AllocateAsync(Order("SB-0001"));

        Assert.Equal(VoucherStatus.ReplyArrived, TestNetwork.DeliveryOf(_net.Finance, issued.VoucherId).Status);
        var reply = _net.Finance.Library.Versions("5207", "SB-0001").Single(v => v.Origin == "received" && v.IsReply);
        var content = reply.Content;
        Assert.Equal("500.00", content["XPayAmt"]);
        Assert.Equal("20260302", content["XPayDate"]);
        Assert.StartsWith("SB20260302", content["XAgentBusinessNo"], StringComparison.Ordinal);
        Assert.Equal(["300.00", "200.00"], content.Details.Select(d => d["XPayAmt"]));
        Assert.All(content.Details, d => Assert.Equal(content["XAgentBusinessNo"], d["XAgentBusinessNo"]));
        Assert.Contains("rh_hd_zqz", _net.Finance.Library.Stamps(reply.Id).Select(s => s.Position));
        Assert.Equal("signed_for", reply.State);
        Assert.Equal(Amount.ParseWire("99500.00"), Pboc.TreasuryBalance());
        Assert.Equal(50_000, TestNetwork.Count(_net.Pboc, "SELECT SUM(amount_fen) FROM pboc_allocations WHERE voucher_no = 'SB-0001'"));
    }

    [Fact]
    public async Task A_payment_the_payee_bank_refuses_is_returned_voided_and_reissued_and_the_chain_reads_the_same_from_either_end()
    {
        Pboc.OpenTreasuryAccount(Amount.ParseWire("1000.00")).ThrowIfRefused();

        var first = await AllocateAsync(Order("SB-0001", ClosedPayee));

        var returned = TestNetwork.DeliveryOf(_net.Finance, first.VoucherId);
        Assert.Equal(VoucherStatus.Returned, returned.Status);
        Assert.Contains("PayeeBankRefused", returned.Reason, StringComparison.Ordinal);
        Assert.Equal(Amount.ParseWire("1000.00"), Pboc.TreasuryBalance());
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM pboc_allocations"));

        var reissued = Finance.ReissueAllocation("SB-0001", "SB-0002", TestNetwork.BusinessDate, _net.Master.Payees[0], "收款账户已更正").ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        Assert.Equal("voided", _net.Finance.Library.Find(first.VoucherId)!.State);
        Assert.Equal(VoucherStatus.ReplyArrived, TestNetwork.DeliveryOf(_net.Finance, reissued.VoucherId).Status);
        Assert.Equal(Amount.ParseWire("500.00"), Pboc.TreasuryBalance());

        var fromFirst = _net.Finance.Library.Chain("5207", "SB-0001");
        var fromLast = _net.Finance.Library.Chain("5207", "SB-0002");
        Assert.Equal(fromFirst.Select(e => (e.VoucherId, e.VoucherNo, e.State)), fromLast.Select(e => (e.VoucherId, e.VoucherNo, e.State)));
        Assert.Equal([("SB-0001", "voided"), ("SB-0002", "sent")], fromFirst.Select(e => (e.VoucherNo, e.State)));
        var voided = Assert.Single(fromFirst[0].Deliveries);
        Assert.Equal(VoucherStatus.Voided, voided.Status);
        Assert.Contains("PayeeBankRefused", voided.Reason, StringComparison.Ordinal);
        Assert.Equal(VoucherStatus.ReplyArrived, Assert.Single(fromFirst[1].Deliveries).Status);

        // Asked again the reissue carries on; another number for the same voucher is refused.
        Assert.Equal(reissued.VoucherId, Finance.ReissueAllocation("SB-0001", "SB-0002", TestNetwork.BusinessDate).ThrowIfRefused().VoucherId);
        Assert.Equal(LibraryRejection.IllegalTransition, Finance.ReissueAllocation("SB-0001", "SB-0003", TestNetwork.BusinessDate).Rejection);
        Assert.Equal(1, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM voucher_links WHERE kind = 'reissue'"));
        Assert.DoesNotContain(_net.Finance.Library.List("5207"), v => v.VoucherNo == "SB-0003");
    }

    [Fact]
    public async Task An_allocation_beyond_the_treasury_balance_is_returned_and_changes_nothing()
    {
        Pboc.OpenTreasuryAccount(Amount.ParseWire("499.99")).ThrowIfRefused();

        var issued = await AllocateAsync(Order("SB-0001"));

        var delivery = TestNetwork.DeliveryOf(_net.Finance, issued.VoucherId);
        Assert.Equal(VoucherStatus.Returned, delivery.Status);
        Assert.Contains("InsufficientTreasuryBalance", delivery.Reason, StringComparison.Ordinal);
        Assert.Equal(Amount.ParseWire("499.99"), Pboc.TreasuryBalance());
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM pboc_allocations"));

        Finance.VoidAllocation("SB-0001", "余额不足, 下月再拨").ThrowIfRefused();
        Assert.Equal("voided", Assert.Single(_net.Finance.Library.Chain("5207", "SB-0001")).State);
    }

    [Fact]
    public async Task Issuing_the_same_allocation_again_makes_and_pays_nothing_twice()
    {
        Pboc.OpenTreasuryAccount(Amount.ParseWire("1000.00")).ThrowIfRefused();
        var first = await AllocateAsync(Order("SB-0001"));

        var again = await AllocateAsync(Order("SB-0001"));

        Assert.Equal(first.VoucherId, again.VoucherId);
        Assert.Single(_net.Pboc.Library.List("5207"), v => !v.IsReply);
        Assert.Equal(Amount.ParseWire("500.00"), Pboc.TreasuryBalance());
    }

    [Fact]
    public void Only_a_returned_allocation_can_be_voided_or_reissued()
    {
        Pboc.OpenTreasuryAccount(Amount.ParseWire("1000.00")).ThrowIfRefused();
        Finance.IssueAllocation(Order("SB-0001"), TestNetwork.BusinessDate).ThrowIfRefused();

        Assert.Equal(LibraryRejection.IllegalTransition, Finance.VoidAllocation("SB-0001", "不想拨了").Rejection);
        Assert.Equal(LibraryRejection.IllegalTransition, Finance.ReissueAllocation("SB-0001", "SB-0002", TestNetwork.BusinessDate).Rejection);
        Assert.Equal(LibraryRejection.NotFound, Finance.ReissueAllocation("SB-9999", "SB-0002", TestNetwork.BusinessDate).Rejection);
        Assert.Equal(LibraryRejection.IllegalTransition, Pboc.OpenTreasuryAccount(Amount.ParseWire("1.00")).Rejection);
    }

    [Fact]
    public async Task A_refund_links_to_its_allocation_restores_the_treasury_and_may_be_allocated_again()
    {
        Pboc.OpenTreasuryAccount(Amount.ParseWire("1000.00")).ThrowIfRefused();
        var allocation = await AllocateAsync(Order("SB-0001"));

        var refund = Pboc.SendAllocationRefund("SB-0001", Amount.ParseWire("350.00"), "收款单位退回多拨款项", "TK-0001", TestNetwork.BusinessDate).ThrowIfRefused();
        Assert.Equal(Amount.ParseWire("850.00"), Pboc.TreasuryBalance());
        await _net.SettleAndProcessAsync();

        Assert.Equal((long)VoucherStatus.SignedFor, PbocDelivery3208(refund.VoucherId));
        var notice = _net.Pboc.Library.Find(refund.VoucherId)!.Content;
        Assert.Equal("SB-0001", notice["OriBillNo"]);
        Assert.Equal("-350.00", notice["PayAmt"]);
        Assert.Equal(["-300.00", "-50.00"], notice.Details.Select(d => d["Amt"]));

        var booked = Assert.Single(Finance.AllocationRefunds("SB-0001"));
        Assert.Equal(new AllocationRefund("TK-0001", "SB-0001", Amount.ParseWire("350.00"), "收款单位退回多拨款项"), booked);
        Assert.Equal(Amount.ParseWire("350.00"), Finance.ReallocatableAmount("SB-0001"));
        var received = Assert.Single(_net.Finance.Library.List("3208"));
        Assert.Equal("signed_for", received.State);
        Assert.Equal(1, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM voucher_links WHERE kind = 'refund' AND from_voucher_id = @from AND to_voucher_id = @to",
            new { from = allocation.VoucherId, to = received.Id }));

        // A second refund takes the rest, spread over the lines after the first.
        Pboc.SendAllocationRefund("SB-0001", Amount.ParseWire("150.00"), "项目取消", "TK-0002", TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        Assert.Equal(["-150.00"], _net.Pboc.Library.List("3208").Single(v => v.VoucherNo == "TK-0002").Content.Details.Select(d => d["Amt"]));
        Assert.Equal(Amount.ParseWire("500.00"), Finance.ReallocatableAmount("SB-0001"));
        Assert.Equal(Amount.ParseWire("1000.00"), Pboc.TreasuryBalance());
    }

    [Fact]
    public async Task A_refund_is_allocated_again_as_a_linked_5207_never_for_more_than_is_left_of_it()
    {
        Pboc.OpenTreasuryAccount(Amount.ParseWire("1000.00")).ThrowIfRefused();
        await AllocateAsync(Order("SB-0001"));
        Pboc.SendAllocationRefund("SB-0001", Amount.ParseWire("350.00"), "收款单位退回多拨款项", "TK-0001", TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        AllocationOrder Again(string no, string amount) => Order(no, null, new AllocationLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire(amount)));

        // 350.01 of a 350.00 refund is refused with its code, and nothing is made.
        var beyond = Finance.ReallocateRefund("TK-0001", Again("SB-0002", "350.01"), TestNetwork.BusinessDate);
        Assert.Equal(LibraryRejection.InvalidVoucher, beyond.Rejection);
        Assert.StartsWith($"{nameof(FinanceRejection.ReallocationExceedsRefund)} ({(int)FinanceRejection.ReallocationExceedsRefund})", beyond.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_net.Finance.Library.List("5207"), v => v.VoucherNo == "SB-0002");

        // 200.00 goes, linked to the 3208 and paid by PBOC; a rerun makes nothing twice; then only 150.00 is left.
        Finance.ReallocateRefund("TK-0001", Again("SB-0002", "200.00"), TestNetwork.BusinessDate).ThrowIfRefused();
        Finance.ReallocateRefund("TK-0001", Again("SB-0002", "200.00"), TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        var again = Assert.Single(_net.Finance.Library.List("5207"), v => v.VoucherNo == "SB-0002" && v.Origin == "own");
        Assert.Equal(("TK-0001", "200.00"), (again.Content["Hold1"], again.Content["PayAmt"]));
        Assert.Equal(VoucherStatus.ReplyArrived, TestNetwork.DeliveryOf(_net.Finance, again.Id).Status);
        Assert.Equal([new Reallocation("SB-0002", "TK-0001", Amount.ParseWire("200.00"))], Finance.ReallocationsOf("TK-0001"));
        Assert.Equal(Amount.ParseWire("150.00"), Finance.ReallocatableAmount("SB-0001"));
        Assert.Equal(LibraryRejection.InvalidVoucher, Finance.ReallocateRefund("TK-0001", Again("SB-0003", "150.01"), TestNetwork.BusinessDate).Rejection);
        Assert.Equal(LibraryRejection.NotFound, Finance.ReallocateRefund("TK-9999", Again("SB-0004", "1.00"), TestNetwork.BusinessDate).Rejection);

        // The database holds the line even against a write around the code.
        Assert.True(Assert.ThrowsAny<System.Data.Common.DbException>(() => TestNetwork.Count(_net.Finance,
            "INSERT INTO finance_reallocations VALUES ('533103', 2026, 'SB-X', 'TK-0001', 15001, 'a', 'b', 'now')")).Message.Contains("beyond its refund", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refund_beyond_what_was_paid_less_earlier_refunds_is_refused_and_changes_nothing()
    {
        Pboc.OpenTreasuryAccount(Amount.ParseWire("1000.00")).ThrowIfRefused();
        await AllocateAsync(Order("SB-0001"));
        var auditBefore = TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM audit");

        var beyond = Pboc.SendAllocationRefund("SB-0001", Amount.ParseWire("500.01"), "退款", "TK-0001", TestNetwork.BusinessDate);

        Assert.Equal(LibraryRejection.InvalidVoucher, beyond.Rejection);
        Assert.Contains("RefundExceedsPaid", beyond.Message, StringComparison.Ordinal);
        Assert.Empty(_net.Pboc.Library.List("3208"));
        Assert.Equal(Amount.ParseWire("500.00"), Pboc.TreasuryBalance());
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM pboc_allocation_refunds"));
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT refunded_fen FROM pboc_allocations"));
        Assert.Equal(auditBefore + 1, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM audit")); // Only the refusal.

        Pboc.SendAllocationRefund("SB-0001", Amount.ParseWire("300.00"), "退款", "TK-0001", TestNetwork.BusinessDate).ThrowIfRefused();
        var rest = Pboc.SendAllocationRefund("SB-0001", Amount.ParseWire("200.01"), "退款", "TK-0002", TestNetwork.BusinessDate);
        Assert.Contains("RefundExceedsPaid", rest.Message, StringComparison.Ordinal);
        Assert.Equal(LibraryRejection.NotFound, Pboc.SendAllocationRefund("SB-9999", Amount.ParseWire("1.00"), "退款", "TK-0003", TestNetwork.BusinessDate).Rejection);
        Assert.Equal(LibraryRejection.InvalidVoucher, Pboc.SendAllocationRefund("SB-0001", Amount.Zero, "退款", "TK-0004", TestNetwork.BusinessDate).Rejection);
        await _net.SettleAndProcessAsync();

        Assert.Equal(Amount.ParseWire("800.00"), Pboc.TreasuryBalance());
        Assert.Equal(Amount.ParseWire("300.00"), Finance.ReallocatableAmount("SB-0001"));
    }

    [Fact]
    public async Task A_refund_of_a_returned_allocation_is_refused_since_nothing_was_paid()
    {
        Pboc.OpenTreasuryAccount(Amount.ParseWire("1000.00")).ThrowIfRefused();
        await AllocateAsync(Order("SB-0001", ClosedPayee));

        var refund = Pboc.SendAllocationRefund("SB-0001", Amount.ParseWire("1.00"), "退款", "TK-0001", TestNetwork.BusinessDate);

        Assert.Equal(LibraryRejection.NotFound, refund.Rejection);
        Assert.Equal(Amount.ParseWire("1000.00"), Pboc.TreasuryBalance());
    }

    [Fact]
    public async Task The_same_refund_sent_or_delivered_twice_is_booked_once()
    {
        Pboc.OpenTreasuryAccount(Amount.ParseWire("1000.00")).ThrowIfRefused();
        await AllocateAsync(Order("SB-0001"));
        var first = Pboc.SendAllocationRefund("SB-0001", Amount.ParseWire("100.00"), "退款", "TK-0001", TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        // PBOC's desk asked again (a rerun after a crash): the same voucher, no second credit.
        var again = Pboc.SendAllocationRefund("SB-0001", Amount.ParseWire("100.00"), "退款", "TK-0001", TestNetwork.BusinessDate).ThrowIfRefused();
        Assert.Equal(first.VoucherId, again.VoucherId);
        Assert.Equal(LibraryRejection.DuplicateVoucherNo, Pboc.SendAllocationRefund("SB-0001", Amount.ParseWire("99.00"), "退款", "TK-0001", TestNetwork.BusinessDate).Rejection);

        // The same message delivered to Finance once more: the inbox replays its answer.
        var message = new TransportMessage("repeat-3208", PartyId.Pboc, PartyId.Finance, MessageKind.Voucher, _net.Pboc.Library.Export(first.VoucherId));
        var answer = _net.Finance.Library.Receive(message);
        Assert.NotEqual(VoucherStatus.ReceiveFailed, answer.Status);
        await _net.SettleAndProcessAsync();

        Assert.Equal(Amount.ParseWire("600.00"), Pboc.TreasuryBalance());
        Assert.Single(_net.Finance.Library.List("3208"));
        Assert.Single(Finance.AllocationRefunds("SB-0001"));
        Assert.Equal(Amount.ParseWire("100.00"), Finance.ReallocatableAmount("SB-0001"));
    }
}
