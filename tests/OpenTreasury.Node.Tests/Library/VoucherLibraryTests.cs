using Dapper;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Node.Tests.Library;

/// <summary>The library's own rules, on a real network of SQLite libraries.</summary>
public sealed class VoucherLibraryTests : IDisposable
{
    private readonly TestNetwork _net = new();

    private VoucherLibrary Finance => _net.Finance.Library;

    private VoucherLibrary Bank => _net.Bank102.Library;

    public void Dispose() => _net.Dispose();

    [Fact]
    public async Task A_voucher_goes_from_draft_through_maker_stamp_approval_and_checker_and_public_stamps_to_signed_and_sent_and_its_status_moves_13_0_1_3()
    {
        var clerk = _net.FinanceSigner(TestNetwork.UnitClerk);
        var head = _net.FinanceSigner(TestNetwork.UnitHead);
        var id = Finance.Run(s => Finance.CreateDraft(s, _net.Payment("ZF-0001", "1234.50"), [TestNetwork.Bank102Party], TestNetwork.UnitClerk)).ThrowIfRefused().VoucherId;
        Assert.Equal("draft", Finance.Find(id)!.State);
        Assert.Equal(VoucherStatus.NotSent, TestNetwork.DeliveryOf(_net.Finance, id).Status);
        Assert.Equal(["dw_jbrsz", "dw_fzrsz", "dw_cwzyz", "dw_frz"], Finance.PositionsToStamp(Finance.Find(id)!).Select(p => p.Name));

        // The maker (经办人) puts on their personal seal while it is a draft.
        Finance.Run(s => Finance.Stamp(s, id, "dw_jbrsz", clerk)).ThrowIfRefused();
        Assert.Equal("draft", Finance.Find(id)!.State);
        Assert.Equal("dw_jbrsz", Assert.Single(Finance.Stamps(id)).Position);

        // Another person (财务负责人) approves.
        Finance.Run(s => Finance.Approve(s, id, TestNetwork.UnitHead)).ThrowIfRefused();
        Assert.Equal("approved", Finance.Find(id)!.State);
        Assert.Equal(TestNetwork.UnitHead, Finance.Find(id)!.ApprovedBy);

        // The checker's personal seal, then the unit's 财务专用章 and 法人章 on the checker's authority.
        Finance.Run(s => Finance.Stamp(s, id, "dw_fzrsz", head)).ThrowIfRefused();
        Finance.Run(s => Finance.Stamp(s, id, "dw_cwzyz", head)).ThrowIfRefused();
        Assert.Equal("approved", Finance.Find(id)!.State);
        Finance.Run(s => Finance.Stamp(s, id, "dw_frz", head)).ThrowIfRefused();
        Assert.Equal("signed", Finance.Find(id)!.State);
        Assert.Equal(["dw_cwzyz", "dw_frz", "dw_fzrsz", "dw_jbrsz"], Finance.Stamps(id).Select(s => s.Position).Order(StringComparer.Ordinal));
        Assert.Equal(VoucherStatus.NotSent, TestNetwork.DeliveryOf(_net.Finance, id).Status);

        Finance.Run(s => Finance.Send(s, id)).ThrowIfRefused();
        Assert.Equal("sent", Finance.Find(id)!.State);
        Assert.Equal(VoucherStatus.Sent, TestNetwork.DeliveryOf(_net.Finance, id).Status);

        await _net.SettleAsync();
        Assert.Equal(VoucherStatus.Received, TestNetwork.DeliveryOf(_net.Finance, id).Status);
        var received = Assert.Single(Bank.ReadReceived());
        Assert.Equal(Finance.Find(id)!.Digest, received.Digest);
        Assert.Equal(4, Bank.Stamps(received.Id).Count);

        Bank.Run(s => Bank.SignFor(s, received.Id, TestNetwork.BankClerk)).ThrowIfRefused();
        await _net.SettleAsync();
        Assert.Equal(VoucherStatus.SignedFor, TestNetwork.DeliveryOf(_net.Finance, id).Status);
        Assert.Equal("signed_for", Bank.Find(received.Id)!.State);
        Assert.Empty(Bank.ReadReceived());
    }

    [Fact]
    public void Approval_by_the_person_who_entered_the_voucher_is_refused_audited_and_changes_nothing()
    {
        var id = Finance.Run(s => Finance.CreateDraft(s, _net.Payment("ZF-0001", "10.00"), [TestNetwork.Bank102Party], TestNetwork.UnitClerk)).VoucherId;
        var auditBefore = TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM audit");

        var result = Finance.Run(s => Finance.Approve(s, id, TestNetwork.UnitClerk));

        Assert.Equal(LibraryRejection.SameMakerAndChecker, result.Rejection);
        Assert.Equal("draft", Finance.Find(id)!.State);
        Assert.Null(Finance.Find(id)!.ApprovedBy);
        Assert.Equal(auditBefore + 1, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM audit"));
        Assert.Equal(1, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM audit WHERE operation = 'approve-refused'"));
        Assert.Equal(0, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM audit WHERE operation = 'approve'"));
    }

    [Fact]
    public void The_database_itself_refuses_an_approval_by_the_person_who_entered_it()
    {
        var id = Finance.Run(s => Finance.CreateDraft(s, _net.Payment("ZF-0001", "10.00"), [TestNetwork.Bank102Party], TestNetwork.UnitClerk)).VoucherId;
        using var connection = Finance.Database.Connect();

        var error = Assert.ThrowsAny<System.Data.Common.DbException>(() =>
            connection.Execute("UPDATE vouchers SET approved_by = entered_by WHERE id = @id", new { id }));

        Assert.Contains("check", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void An_unknown_user_can_neither_enter_nor_approve_a_voucher()
    {
        var entered = Finance.Run(s => Finance.CreateDraft(s, _net.Payment("ZF-0001", "10.00"), [TestNetwork.Bank102Party], "nobody"));
        Assert.Equal(LibraryRejection.UnknownUser, entered.Rejection);
        Assert.Empty(Finance.List());

        var id = Finance.Run(s => Finance.CreateDraft(s, _net.Payment("ZF-0001", "10.00"), [TestNetwork.Bank102Party], TestNetwork.UnitClerk)).VoucherId;
        var approved = Finance.Run(s => Finance.Approve(s, id, "nobody"));
        Assert.Equal(LibraryRejection.UnknownUser, approved.Rejection);
        Assert.Equal("draft", Finance.Find(id)!.State);
    }

    [Fact]
    public void A_voucher_number_is_used_once_per_sender()
    {
        Finance.Run(s => Finance.CreateDraft(s, _net.Payment("ZF-0001", "10.00"), [TestNetwork.Bank102Party], TestNetwork.UnitClerk)).ThrowIfRefused();

        var again = Finance.Run(s => Finance.CreateDraft(s, _net.Payment("ZF-0001", "20.00"), [TestNetwork.Bank102Party], TestNetwork.UnitClerk));

        Assert.Equal(LibraryRejection.DuplicateVoucherNo, again.Rejection);
        Assert.Single(Finance.List());
    }

    [Fact]
    public void A_payment_voucher_cannot_be_addressed_to_PBOC()
    {
        var result = Finance.Run(s => Finance.CreateDraft(s, _net.Payment("ZF-0001", "10.00"), [PartyId.Pboc], TestNetwork.UnitClerk));

        Assert.Equal(LibraryRejection.WrongReceiver, result.Rejection);
        Assert.Empty(Finance.List());
    }

    [Fact]
    public void A_bank_cannot_write_a_payment_voucher()
    {
        var result = Bank.Run(s => Bank.CreateDraft(s, _net.Payment("ZF-0001", "10.00"), [TestNetwork.Bank103Party], TestNetwork.BankClerk));

        Assert.Equal(LibraryRejection.WrongSender, result.Rejection);
    }

    [Fact]
    public void A_voucher_whose_details_do_not_sum_to_its_total_is_refused()
    {
        var result = Finance.Run(s => Finance.CreateDraft(s, _net.Payment("ZF-0001", "100.00", detailAmt: "99.99"), [TestNetwork.Bank102Party], TestNetwork.UnitClerk));

        Assert.Equal(LibraryRejection.InvalidVoucher, result.Rejection);
        Assert.Contains("TotalMismatch", result.Message, StringComparison.Ordinal);
        Assert.Empty(Finance.List());
    }

    [Fact]
    public void Sending_before_every_position_is_stamped_is_refused_as_not_stamped_and_queues_nothing()
    {
        var id = Finance.Run(s => Finance.CreateDraft(s, _net.Payment("ZF-0001", "10.00"), [TestNetwork.Bank102Party], TestNetwork.UnitClerk)).VoucherId;
        Assert.Equal(LibraryRejection.NotStamped, Finance.Run(s => Finance.Send(s, id)).Rejection);
        Finance.Run(s => Finance.Stamp(s, id, "dw_jbrsz", _net.FinanceSigner(TestNetwork.UnitClerk))).ThrowIfRefused();
        Finance.Run(s => Finance.Approve(s, id, TestNetwork.UnitHead)).ThrowIfRefused();
        Finance.Run(s => Finance.Stamp(s, id, "dw_fzrsz", _net.FinanceSigner(TestNetwork.UnitHead))).ThrowIfRefused();

        var sent = Finance.Run(s => Finance.Send(s, id));

        Assert.Equal(LibraryRejection.NotStamped, sent.Rejection);
        Assert.Contains("dw_cwzyz", sent.Message, StringComparison.Ordinal);
        Assert.Contains("dw_frz", sent.Message, StringComparison.Ordinal);
        Assert.Equal("approved", Finance.Find(id)!.State);
        Assert.Equal(0, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM outbox"));
    }

    [Fact]
    public void A_draft_can_be_voided_with_a_reason()
    {
        var id = Finance.Run(s => Finance.CreateDraft(s, _net.Payment("ZF-0001", "10.00"), [TestNetwork.Bank102Party], TestNetwork.UnitClerk)).VoucherId;

        Assert.Equal(LibraryRejection.ReasonRequired, Finance.Run(s => Finance.Void(s, id, TestNetwork.UnitClerk, " ")).Rejection);
        Finance.Run(s => Finance.Void(s, id, TestNetwork.UnitClerk, "录入错误")).ThrowIfRefused();

        Assert.Equal("voided", Finance.Find(id)!.State);
        Assert.Equal(VoucherStatus.Voided, TestNetwork.DeliveryOf(_net.Finance, id).Status);
        Assert.Equal(LibraryRejection.IllegalTransition, Finance.Run(s => Finance.Approve(s, id, TestNetwork.UnitHead)).Rejection);
    }

    [Fact]
    public async Task A_returned_voucher_carries_the_reason_to_its_sender_as_status_5_and_can_then_be_voided()
    {
        var id = _net.SendPayment("ZF-0001");
        await _net.SettleAsync();
        var received = Assert.Single(Bank.ReadReceived());

        Assert.Equal(LibraryRejection.ReasonRequired, Bank.Run(s => Bank.Return(s, received.Id, TestNetwork.BankClerk, "")).Rejection);
        Assert.Equal("received", Bank.Find(received.Id)!.State);

        Bank.Run(s => Bank.Return(s, received.Id, TestNetwork.BankClerk, "收款账号有误")).ThrowIfRefused();
        await _net.SettleAsync();

        var delivery = TestNetwork.DeliveryOf(_net.Finance, id);
        Assert.Equal(VoucherStatus.Returned, delivery.Status);
        Assert.Equal("收款账号有误", delivery.Reason);
        Assert.Equal(LibraryRejection.IllegalTransition, Bank.Run(s => Bank.SignFor(s, received.Id, TestNetwork.BankClerk)).Rejection);

        Finance.Run(s => Finance.Void(s, id, TestNetwork.UnitClerk, "退回后作废, 重新开具")).ThrowIfRefused();
        Assert.Equal(VoucherStatus.Voided, TestNetwork.DeliveryOf(_net.Finance, id).Status);
    }

    [Fact]
    public async Task A_voucher_signed_for_or_still_in_flight_cannot_be_voided()
    {
        var id = _net.SendPayment("ZF-0001");
        Assert.Equal(LibraryRejection.IllegalTransition, Finance.Run(s => Finance.Void(s, id, TestNetwork.UnitClerk, "撤回")).Rejection);

        await _net.SettleAsync();
        var received = Assert.Single(Bank.ReadReceived());
        Bank.Run(s => Bank.SignFor(s, received.Id, TestNetwork.BankClerk)).ThrowIfRefused();
        await _net.SettleAsync();

        var voided = Finance.Run(s => Finance.Void(s, id, TestNetwork.UnitClerk, "撤回"));

        Assert.Equal(LibraryRejection.IllegalTransition, voided.Rejection);
        Assert.Equal("sent", Finance.Find(id)!.State);
        Assert.Equal(VoucherStatus.SignedFor, TestNetwork.DeliveryOf(_net.Finance, id).Status);
    }

    [Fact]
    public async Task Reading_received_vouchers_honours_the_limit_and_clamps_it_to_1_through_100()
    {
        for (var i = 1; i <= 3; i++)
        {
            _net.SendPayment($"ZF-000{i}", "10.00");
        }

        await _net.SettleAsync();
        Assert.Equal(3, Bank.ReadReceived().Count);
        Assert.Equal(2, Bank.ReadReceived(limit: 2).Count);
        Assert.Single(Bank.ReadReceived(limit: 0));
        Assert.Single(Bank.ReadReceived(limit: -5));
        Assert.Equal(3, Bank.ReadReceived("8202", limit: 1_000).Count);
        Assert.Empty(Bank.ReadReceived("5105"));

        // 101 more waiting vouchers, copied in SQL (sending that many would be slow): a read still stops at 100.
        using (var connection = Bank.Database.Connect())
        {
            connection.Execute(
                """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 101)
                INSERT INTO vouchers (origin, sender, adm_div_code, st_year, vt_code, voucher_no, version, flag, state, inner_xml, digest, vou_date, created_at, updated_at)
                SELECT origin, sender, adm_div_code, st_year, vt_code, 'COPY-' || n.i, version, flag, state, inner_xml, digest, vou_date, created_at, updated_at
                FROM vouchers, n WHERE voucher_no = 'ZF-0001'
                """);
        }

        Assert.Equal(100, Bank.ReadReceived(limit: 1_000).Count);
        Assert.Equal(100, Bank.ReadReceived().Count);
    }
}
