using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Seals;
using OpenTreasury.Node.Signing;
using OpenTreasury.Trust.Seals;

namespace OpenTreasury.Node.Tests.Seals;

/// <summary>No one alone (不相容岗位): the maker stamps and another person approves and stamps; each step in its order.</summary>
public sealed class MakerCheckerTests : IDisposable
{
    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    private VoucherLibrary Finance => _net.Finance.Library;

    private long Draft(string voucherNo = "ZF-0001") =>
        Finance.Run(s => Finance.CreateDraft(s, _net.Payment(voucherNo, "10.00"), [TestNetwork.Bank102Party], TestNetwork.UnitClerk)).ThrowIfRefused().VoucherId;

    private LibraryResult Stamp(long id, string position, string userId) =>
        Finance.Run(s => Finance.Stamp(s, id, position, _net.FinanceSigner(userId)));

    private long AuditCount() => TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM audit");

    /// <summary>A draft with the maker's seal, approved, with every position stamped: state signed.</summary>
    private long Signed()
    {
        var id = Draft();
        Stamp(id, "dw_jbrsz", TestNetwork.UnitClerk).ThrowIfRefused();
        Finance.Run(s => Finance.Approve(s, id, TestNetwork.UnitHead)).ThrowIfRefused();
        foreach (var position in new[] { "dw_fzrsz", "dw_cwzyz", "dw_frz" })
        {
            Stamp(id, position, TestNetwork.UnitHead).ThrowIfRefused();
        }

        Assert.Equal("signed", Finance.Find(id)!.State);
        return id;
    }

    [Fact]
    public void Approving_your_own_stamped_voucher_is_refused_and_changes_nothing_but_one_audit_entry()
    {
        var id = Draft();
        Stamp(id, "dw_jbrsz", TestNetwork.UnitClerk).ThrowIfRefused();
        var auditBefore = AuditCount();

        var result = Finance.Run(s => Finance.Approve(s, id, TestNetwork.UnitClerk));

        Assert.Equal(LibraryRejection.SameMakerAndChecker, result.Rejection);
        var voucher = Finance.Find(id)!;
        Assert.Equal("draft", voucher.State);
        Assert.Null(voucher.ApprovedBy);
        Assert.Single(Finance.Stamps(id));
        Assert.Equal(auditBefore + 1, AuditCount());
        Assert.Equal(1, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM audit WHERE operation = 'approve-refused'"));
        Assert.Equal(0, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM outbox"));
    }

    [Fact]
    public void Approving_before_the_makers_personal_seal_is_on_is_refused_as_not_stamped()
    {
        var id = Draft();

        var result = Finance.Run(s => Finance.Approve(s, id, TestNetwork.UnitHead));

        Assert.Equal(LibraryRejection.NotStamped, result.Rejection);
        Assert.Contains("dw_jbrsz", result.Message, StringComparison.Ordinal);
        Assert.Equal("draft", Finance.Find(id)!.State);
        Assert.Null(Finance.Find(id)!.ApprovedBy);
    }

    [Fact]
    public void The_checker_may_not_stamp_the_makers_position()
    {
        var id = Draft();

        var result = Stamp(id, "dw_jbrsz", TestNetwork.UnitHead);

        Assert.Equal(LibraryRejection.NotAuthorizedToStamp, result.Rejection);
        Assert.Empty(Finance.Stamps(id));
        Assert.Equal(1, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM audit WHERE operation = 'stamp-refused'"));
    }

    [Fact]
    public void The_maker_may_not_stamp_the_checkers_or_the_public_positions_even_after_approval()
    {
        var id = Draft();
        Stamp(id, "dw_jbrsz", TestNetwork.UnitClerk).ThrowIfRefused();
        Assert.Equal(LibraryRejection.NotAuthorizedToStamp, Stamp(id, "dw_fzrsz", TestNetwork.UnitClerk).Rejection); // before approval
        Finance.Run(s => Finance.Approve(s, id, TestNetwork.UnitHead)).ThrowIfRefused();

        Assert.Equal(LibraryRejection.NotAuthorizedToStamp, Stamp(id, "dw_fzrsz", TestNetwork.UnitClerk).Rejection);
        Assert.Equal(LibraryRejection.NotAuthorizedToStamp, Stamp(id, "dw_cwzyz", TestNetwork.UnitClerk).Rejection);
        Assert.Single(Finance.Stamps(id));
    }

    [Fact]
    public void A_person_of_another_unit_may_not_stamp_this_units_voucher()
    {
        var other = _net.Master.Units.First(u => u.AgencyCode != TestNetwork.Agency).AgencyCode;
        var id = Draft();

        var result = Stamp(id, "dw_jbrsz", $"dw{other}_jbr");

        Assert.Equal(LibraryRejection.NotAuthorizedToStamp, result.Rejection);
        Assert.Empty(Finance.Stamps(id));
    }

    [Fact]
    public void A_user_locked_by_an_administrator_cannot_stamp()
    {
        var id = Draft();
        var clerk = _net.FinanceSigner(TestNetwork.UnitClerk); // logged in before the lock
        Assert.True(_net.Finance.Users.Lock(TestNetwork.UnitClerk, "left the unit").Ok);

        var result = Finance.Run(s => Finance.Stamp(s, id, "dw_jbrsz", clerk));

        Assert.Equal(LibraryRejection.UserLocked, result.Rejection);
        Assert.Empty(Finance.Stamps(id));
    }

    [Fact]
    public void A_position_is_stamped_once_and_a_position_outside_the_template_does_not_exist()
    {
        var id = Draft();
        Stamp(id, "dw_jbrsz", TestNetwork.UnitClerk).ThrowIfRefused();

        Assert.Equal(LibraryRejection.AlreadyStamped, Stamp(id, "dw_jbrsz", TestNetwork.UnitClerk).Rejection);
        Assert.Equal(LibraryRejection.NoSuchPosition, Stamp(id, "cz_ywzyz", TestNetwork.UnitClerk).Rejection);
        Assert.Single(Finance.Stamps(id));
    }

    [Fact]
    public void A_stamp_cancelled_before_sending_takes_the_voucher_back_to_approved_and_after_sending_it_stays()
    {
        var id = Signed();
        var head = _net.FinanceSigner(TestNetwork.UnitHead);

        Finance.Run(s => Finance.CancelStamp(s, id, "dw_frz", head)).ThrowIfRefused();
        Assert.Equal("approved", Finance.Find(id)!.State);
        Assert.Equal(3, Finance.Stamps(id).Count);
        Assert.Equal(LibraryRejection.NotStamped, Finance.Run(s => Finance.Send(s, id)).Rejection);

        // The maker's seal of an approved voucher stays.
        Assert.Equal(LibraryRejection.IllegalTransition, Finance.Run(s => Finance.CancelStamp(s, id, "dw_jbrsz", _net.FinanceSigner(TestNetwork.UnitClerk))).Rejection);

        Stamp(id, "dw_frz", TestNetwork.UnitHead).ThrowIfRefused();
        Assert.Equal("signed", Finance.Find(id)!.State);
        Finance.Run(s => Finance.Send(s, id)).ThrowIfRefused();

        var after = Finance.Run(s => Finance.CancelStamp(s, id, "dw_frz", head));

        Assert.Equal(LibraryRejection.IllegalTransition, after.Rejection);
        Assert.Equal("sent", Finance.Find(id)!.State);
        Assert.Equal(4, Finance.Stamps(id).Count);
    }

    [Fact]
    public void Only_the_stamper_or_the_approver_may_cancel_a_stamp()
    {
        var id = Signed();

        var result = Finance.Run(s => Finance.CancelStamp(s, id, "dw_cwzyz", _net.FinanceSigner(TestNetwork.FinanceClerk)));

        Assert.Equal(LibraryRejection.NotAuthorizedToStamp, result.Rejection);
        Assert.Equal("signed", Finance.Find(id)!.State);
    }

    [Fact]
    public void A_voucher_with_one_persons_seal_at_both_the_maker_and_the_checker_position_is_refused_on_receipt()
    {
        var genuine = Finance.Export(_net.SendPayment("ZF-0001"));
        var body = Tamper.Read(genuine);
        var clerk = _net.FinanceSigner(TestNetwork.UnitClerk);
        var registered = new SealRegistry(Finance.Database).List().Single(s => s.HolderUser == TestNetwork.UnitClerk);
        Assert.True(ElectronicSeal.TryParse(registered.Der, out var seal, out _));
        var stamp = Finance.Signing.StampWithToken(seal, clerk.Token!, body.InnerVoucher, SignatureServer.PropertyInfo(body.Key, body.Version, "dw_fzrsz", OpenTreasury.Domain.Seals.StampTemplate.DefaultVersion), _net.Clock.GetUtcNow());
        Assert.True(stamp.Succeeded);
        var crafted = Tamper.Body(genuine, b => b with { Stamps = [.. b.Stamps.Select(s => s.Position == "dw_fzrsz" ? s with { Der = stamp.Value!.Der } : s)] });

        var answer = _net.Bank102.Library.Receive(new TransportMessage("m", PartyId.Finance, TestNetwork.Bank102Party, MessageKind.Voucher, crafted));

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
        Assert.StartsWith(nameof(ReceiveFailure.OnePersonAlone), answer.Reason, StringComparison.Ordinal);
        Assert.Equal(0, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM vouchers"));
        Assert.Equal(0, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM inbox"));
    }

    [Fact]
    public async Task Paying_with_one_person_as_both_entry_and_approval_is_refused_and_changes_nothing_at_the_bank()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        var bankVouchers = TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM vouchers");
        var financeVouchers = TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM vouchers");

        var result = _net.Finance.FinanceDesk!.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("10.00")), TestNetwork.BusinessDate, approver: TestNetwork.UnitClerk);
        await _net.SettleAndProcessAsync();

        Assert.Equal(LibraryRejection.SameMakerAndChecker, result.Rejection);
        Assert.Equal(financeVouchers, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM vouchers"));
        Assert.Equal(0, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM outbox WHERE message_id LIKE '%8202%'"));
        Assert.Equal(bankVouchers, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM vouchers"));
        Assert.Equal(0, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM bank_payments"));
        Assert.Equal(0, TestNetwork.Count(_net.Bank102, "SELECT paid_fen FROM bank_quotas"));
        Assert.Equal(1, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM audit WHERE operation = 'approve-refused'"));
    }
}
