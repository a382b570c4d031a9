using Dapper;
using OpenTreasury.Business;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Seals;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>What happens when something goes wrong mid-flow: nothing is lost, nothing blocks the queue.</summary>
public sealed class RecoveryTests : IDisposable
{
    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    [Fact]
    public async Task A_transfer_request_PBOC_returns_is_voided_and_its_payments_are_cleared_under_a_new_number()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        _net.Finance.FinanceDesk!.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("300.00")), TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        // PBOC's clearing quota is missing (as when its 5106 is late): the first 2301 comes back returned.
        Execute(_net.Pboc, "UPDATE pboc_clearing_quotas SET issued_fen = 0");
        _net.Bank102.BankDesk!.RequestClearing(TestNetwork.BusinessDate);
        await _net.SettleAndProcessAsync();
        var first = Assert.Single(_net.Bank102.Library.List("2301"));
        Assert.Equal(VoucherStatus.Returned, TestNetwork.DeliveryOf(_net.Bank102, first.Id).Status);

        Execute(_net.Pboc, "UPDATE pboc_clearing_quotas SET issued_fen = 100000");
        _net.Bank102.BankDesk!.RequestClearing(TestNetwork.BusinessDate);
        await _net.SettleAndProcessAsync();

        Assert.Equal("voided", _net.Bank102.Library.Find(first.Id)!.State);
        var second = _net.Bank102.Library.List("2301").Single(v => v.Id != first.Id && !v.IsReply && v.Origin == "own");
        Assert.NotEqual(first.VoucherNo, second.VoucherNo);
        Assert.Equal(VoucherStatus.ReplyArrived, TestNetwork.DeliveryOf(_net.Bank102, second.Id).Status);
        Assert.Equal(0, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM bank_payments WHERE cleared_date IS NULL"));
        Assert.Equal(30_000, TestNetwork.Count(_net.Pboc, "SELECT COALESCE(SUM(amount_fen), 0) FROM pboc_clearings"));
    }

    [Fact]
    public async Task A_quota_notice_for_another_bank_is_refused_and_the_vouchers_behind_it_are_still_worked()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        _net.Network.Transport.SetOffline(TestNetwork.Bank102Party, true);
        var finance = _net.Finance.FinanceDesk!;
        finance.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("10.00")), TestNetwork.BusinessDate).ThrowIfRefused();

        // A 5105 naming bank 103, delivered to bank 102, ahead of the payment in its queue.
        var misaddressed = _net.Finance.Library.List("5105").First(v => v.Content["PayBankCode"] == "102").Content.With("PayBankCode", "103").With("VoucherNo", "ED-WRONG").With("Id", "ED-WRONG");
        var library = _net.Finance.Library;
        var refusedId = library.Run(s => library.Issue(s, misaddressed, [TestNetwork.Bank102Party], _net.FinanceSigner(TestNetwork.FinanceClerk), _net.FinanceSigner(TestNetwork.FinanceChecker))).ThrowIfRefused().VoucherId;
        _net.Network.Transport.SetOffline(TestNetwork.Bank102Party, false);
        _net.Clock.Advance(TimeSpan.FromMinutes(5));
        await _net.SettleAndProcessAsync();

        var refused = TestNetwork.DeliveryOf(_net.Finance, refusedId);
        Assert.Equal(VoucherStatus.SignForFailed, refused.Status);
        Assert.Contains("不是本行", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(1, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM bank_payments"));
        Assert.Equal(100_000, TestNetwork.Count(_net.Bank102, "SELECT SUM(issued_fen) FROM bank_quotas"));
    }

    [Fact]
    public async Task A_payment_made_after_the_days_report_goes_into_a_supplementary_report_and_the_day_balances()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        var finance = _net.Finance.FinanceDesk!;
        finance.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("10.00")), TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        _net.Bank102.BankDesk!.RequestClearing(TestNetwork.BusinessDate);
        await _net.SettleAndProcessAsync();
        _net.Bank102.BankDesk!.SendDailyReport(TestNetwork.BusinessDate);
        await _net.SettleAndProcessAsync();

        finance.SubmitPayment(_net.Order("ZF-0002", Amount.ParseWire("20.00")), TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        _net.Bank102.BankDesk!.RequestClearing(TestNetwork.BusinessDate);
        await _net.SettleAndProcessAsync();
        _net.Bank102.BankDesk!.SendDailyReport(TestNetwork.BusinessDate);
        await _net.SettleAndProcessAsync();

        Assert.Equal(["RB10220260302", "RB10220260302-2"], _net.Bank102.Library.List("2207").Select(v => v.VoucherNo).Order(StringComparer.Ordinal));
        Assert.True(FinanceReconciliation.Reconcile(FinanceBooksReader.Read(_net.Finance.Library, _net.Master, TestNetwork.BusinessDate)).Balanced);
    }

    [Fact]
    public async Task A_payment_the_bank_returns_is_voided_reissued_under_a_new_number_and_paid_and_the_chain_reads_from_either_end()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("100.00")));
        var finance = _net.Finance.FinanceDesk!;
        var returned = finance.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("150.00")), TestNetwork.BusinessDate).ThrowIfRefused().VoucherId;
        await _net.SettleAndProcessAsync();
        Assert.Equal(VoucherStatus.Returned, TestNetwork.DeliveryOf(_net.Finance, returned).Status);

        var library = _net.Finance.Library;
        var reissued = library.Run(s => library.Reissue(s, returned, "ZF-0001R",
            v => v.With("PayAmt", "80.00").WithDetails([v.Details[0].With("PayAmt", "80.00")]),
            _net.FinanceSigner(TestNetwork.UnitClerk), _net.FinanceSigner(TestNetwork.UnitHead), "超额度, 改为 80.00 重开")).ThrowIfRefused().VoucherId;
        await _net.SettleAndProcessAsync();

        Assert.Equal(VoucherStatus.SignedFor, TestNetwork.DeliveryOf(_net.Finance, reissued).Status);
        var fromFirst = library.Chain("8202", "ZF-0001");
        Assert.Equal(["ZF-0001", "ZF-0001R"], fromFirst.Select(c => c.VoucherNo));
        Assert.Equal(["voided", "sent"], fromFirst.Select(c => c.State));
        Assert.Equal(fromFirst.Select(c => c.VoucherNo), library.Chain("8202", "ZF-0001R").Select(c => c.VoucherNo));
        Assert.Equal(8_000, TestNetwork.Count(_net.Bank102, "SELECT SUM(paid_fen) FROM bank_quotas"));

        // Asked again with another new number, the library refuses: a voucher is reissued once.
        var again = library.Run(s => library.Reissue(s, returned, "ZF-0001S", v => v, _net.FinanceSigner(TestNetwork.UnitClerk), _net.FinanceSigner(TestNetwork.UnitHead), "again"));
        Assert.Equal(LibraryRejection.IllegalTransition, again.Rejection);
    }

    [Fact]
    public async Task A_refund_PBOC_returns_is_voided_and_the_line_can_be_refunded_again_under_a_new_number()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        _net.Finance.FinanceDesk!.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("300.00")), TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        var bank = _net.Bank102.BankDesk!;
        bank.RequestClearing(TestNetwork.BusinessDate);
        await _net.SettleAndProcessAsync();

        // PBOC's books show less cleared than the refund asks back: it returns the 2302.
        Execute(_net.Pboc, "UPDATE pboc_clearing_quotas SET cleared_fen = 0");
        bank.RefundPayment("TK-0001", "ZF-0001", 1, Amount.ParseWire("300.00"), "收款人退回", TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        Assert.Equal(VoucherStatus.Returned, TestNetwork.DeliveryOf(_net.Bank102, _net.Bank102.Library.List("2302").Single(v => v.Origin == "own").Id).Status);

        Execute(_net.Pboc, "UPDATE pboc_clearing_quotas SET cleared_fen = 30000");
        bank.RefundPayment("TK-0002", "ZF-0001", 1, Amount.ParseWire("300.00"), "收款人退回", TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        Assert.Equal("voided", _net.Bank102.Library.List("2302").Single(v => v.VoucherNo == "TK-0001" && v.Origin == "own").State);
        Assert.Equal(1, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM bank_refunds WHERE cancelled_reason IS NOT NULL"));
        Assert.Equal(1, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM bank_refunds WHERE refund_no = 'TK-0002' AND credited_date IS NOT NULL"));
        Assert.Equal(0, TestNetwork.Count(_net.Bank102, "SELECT SUM(paid_fen) FROM bank_quotas"));
    }

    [Fact]
    public void A_replacement_seal_gets_its_own_esID_and_does_not_overwrite_the_first()
    {
        var finance = _net.Finance;
        var first = new SealRegistry(finance.Library.Database).List().First(s => s.AgencyCode == TestNetwork.Agency && s.Type == SealType.FinanceSeal);
        _net.Network.Seals.Revoke(first.EsId, "印章遗失");

        var replacement = _net.Network.Seals.Make(
            new SealOrder(PartyId.Finance, TestNetwork.Agency, SealType.FinanceSeal, "芒市人民政府办公室", "财务专用章", null, finance.Library.Signing.Certificate, ["单位财务负责人"]),
            _net.Clock.GetUtcNow());

        Assert.Equal($"{first.EsId}-2", replacement.EsId);
        foreach (var node in _net.Network.Nodes.Values)
        {
            var registry = new SealRegistry(node.Library.Database);
            Assert.NotNull(registry.Find(first.EsId)!.RevokedAt);
            Assert.Equal(replacement.Der, registry.Find(replacement.EsId)!.Der);
        }
    }

    [Fact]
    public void A_signed_status_notice_with_a_status_no_receiver_can_give_is_refused()
    {
        var id = _net.SendPayment("ZF-0001", "10.00");
        var voucher = _net.Finance.Library.Find(id)!;
        var forged = new StatusNotice("bank-102", "finance", "8202", voucher.AdmDivCode, (int)voucher.StYear, voucher.VoucherNo, 1, 12, "回单已收到")
            .Seal(_net.Bank102.Library.Signing, _net.Clock.GetUtcNow());

        var answer = _net.Finance.Library.Receive(new TransportMessage("forged-notice", TestNetwork.Bank102Party, PartyId.Finance, MessageKind.Status, forged));

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
        Assert.Contains("status 12", answer.Reason, StringComparison.Ordinal);
        Assert.Equal(VoucherStatus.Sent, TestNetwork.DeliveryOf(_net.Finance, id).Status);
    }

    private static void Execute(TreasuryNode node, string sql)
    {
        using var connection = node.Library.Database.Connect();
        connection.Execute(sql);
    }
}
