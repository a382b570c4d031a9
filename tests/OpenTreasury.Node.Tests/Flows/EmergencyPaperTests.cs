using OpenTreasury.Business.Bank;
using OpenTreasury.Business.Checks;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.People;
using OpenTreasury.Printing.Tests;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>
/// The emergency plan's paper fallback (应急预案, 应急纸质): a stuck 8202 is withdrawn from the electronic path by two people,
/// printed marked 应急纸质, paid once at the bank's counter, and reconciled explicitly once the link is back — whichever way
/// the race between the withdrawn message and the paper goes, the number is paid once.
/// </summary>
public sealed class EmergencyPaperTests : IDisposable
{
    private static readonly DateOnly Day = TestNetwork.BusinessDate;

    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    private BankDesk Bank => _net.Bank102.BankDesk!;

    private VoucherLibrary Library => _net.Finance.Library;

    private PaperPayment Paper(string no, string amount) =>
        new(no, TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire(amount), _net.Master.Payees[0].AccountNo, _net.Master.Payees[0].Name);

    private long QuotaPaid() => TestNetwork.Count(_net.Bank102, "SELECT paid_fen FROM bank_quotas WHERE agency_code = @a AND exp_func_code = @f", new { a = TestNetwork.Agency, f = TestNetwork.FuncCode });

    private long Undelivered(long voucherId) => TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM outbox WHERE voucher_id = @voucherId AND delivered_at IS NULL AND discarded_at IS NULL", new { voucherId });

    private LibraryResult TakeToPaper(long voucherId, string maker = TestNetwork.FinanceClerk, string checker = TestNetwork.FinanceChecker) =>
        Library.Run(s => Library.TakeToPaper(s, voucherId, TestNetwork.Bank102Party, _net.FinanceSigner(maker), _net.FinanceSigner(checker), "与代理银行链路中断"));

    private IReadOnlyList<PaperLine> Reconcile() => EmergencyPaperReconciliation.Reconcile(_net.Finance, [.. _net.Network.Banks]);

    private async Task<long> StuckPaymentAsync(string no, string amount)
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        var sent = _net.Finance.FinanceDesk!.SubmitPayment(_net.Order(no, Amount.ParseWire(amount)), Day).ThrowIfRefused();
        Assert.Equal(1, Undelivered(sent.VoucherId)); // The link is down: the 8202 waits in Finance's outbox.
        return sent.VoucherId;
    }

    [Fact]
    public async Task A_stuck_payment_taken_to_paper_is_never_sent_prints_marked_and_is_paid_once_at_the_counter()
    {
        var id = await StuckPaymentAsync("ZF-0001", "300.00");

        TakeToPaper(id).ThrowIfRefused();
        Assert.Equal(0, Undelivered(id));
        var print = Library.Print(id, new Actor(_net.Finance.Party, TestNetwork.FinanceChecker, "国库股审核", null));
        Assert.All(PdfText.Pages(print.Printed!.Pdf), page => Assert.Contains(VoucherLibrary.EmergencyPaperMark, page, StringComparison.Ordinal));

        // The link is back: nothing electronic reaches the bank, and its counter pays the paper in electronic mode.
        await _net.SettleAndProcessAsync();
        Assert.Equal(0, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM vouchers WHERE vt_code = '8202'"));
        Assert.Contains(TestNetwork.DeliveryOf(_net.Finance, id).Status, new[] { VoucherStatus.NotSent, VoucherStatus.Sent });
        Bank.RegisterEmergencyPaperPayment(Paper("ZF-0001", "300.00"), Day).ThrowIfRefused();
        Assert.Equal(30_000, QuotaPaid());

        var line = Assert.Single(Reconcile());
        Assert.Equal(PaperOutcome.PaidOnPaper, line.Outcome);
        Assert.Empty(NodeCheck.Run(_net.Bank102).Differences);

        // Settled on paper under this number: never voided (a reissue under a new number would pay it twice).
        var voided = Library.Run(s => Library.Void(s, id, TestNetwork.FinanceChecker, "重新开具"));
        Assert.Equal(LibraryRejection.IllegalTransition, voided.Rejection);
        Assert.Equal(1, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM audit WHERE operation = 'void-refused'"));
        using var connection = Library.Database.Connect();
        Assert.True(Audit.AuditLog.Verify(connection).Intact);
    }

    [Fact]
    public async Task A_delivery_that_fails_after_the_message_was_taken_to_paper_does_not_put_it_back_in_the_queue()
    {
        var id = await StuckPaymentAsync("ZF-0007", "100.00");
        var worker = new DeliveryWorker(Library, new WithdrawingTransport(() => TakeToPaper(id).ThrowIfRefused()), _net.Clock);

        // The worker holds the message when the link fails; meanwhile two people took it to paper.
        Assert.Equal(0, await worker.DeliverDueAsync(10, id, CancellationToken.None));
        _net.Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(0, Undelivered(id));
        Assert.Equal(0, worker.Pending());
        Assert.Equal(0, await worker.DeliverDueAsync(10, id, CancellationToken.None));
        await _net.SettleAndProcessAsync();
        Assert.Equal(0, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM vouchers WHERE vt_code = '8202'"));
    }

    [Fact]
    public async Task Emergency_paper_registered_under_a_mistyped_number_is_named_and_the_voucher_still_waits()
    {
        var id = await StuckPaymentAsync("ZF-0008", "120.00");
        TakeToPaper(id).ThrowIfRefused();
        Bank.RegisterEmergencyPaperPayment(Paper("ZF-0080", "120.00"), Day).ThrowIfRefused(); // 0080 for 0008

        var lines = Reconcile();

        Assert.Equal(PaperOutcome.NotYetPaid, lines.Single(l => l.VoucherNo == "ZF-0008").Outcome);
        var unknown = lines.Single(l => l.VoucherNo == "ZF-0080");
        Assert.Equal(PaperOutcome.UnknownPaper, unknown.Outcome);
        Assert.True(unknown.Mismatch);
        Assert.Equal(12_000, unknown.PaperFen);
    }

    /// <summary>A link that fails every delivery, after running <paramref name="meanwhile"/> (what people did while the worker waited).</summary>
    private sealed class WithdrawingTransport(Action meanwhile) : ITransport
    {
        public Task<DeliveryAnswer> DeliverAsync(TransportMessage message, CancellationToken cancellationToken)
        {
            meanwhile();
            throw new TransportException("the link to bank-102 is down");
        }
    }

    [Fact]
    public async Task A_checker_whose_post_does_not_manage_messages_is_refused_and_nothing_changes()
    {
        var id = await StuckPaymentAsync("ZF-0009", "100.00");

        var refused = TakeToPaper(id, TestNetwork.FinanceClerk, TestNetwork.UnitHead); // 单位财务负责人: not a checking post

        Assert.Equal(LibraryRejection.PostMayNot, refused.Rejection);
        Assert.Equal(1, Undelivered(id));
        Assert.Empty(Library.EmergencyPapers());
        Assert.Equal(1, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM audit WHERE operation = 'emergency-paper-refused'"));
    }

    [Fact]
    public async Task One_person_alone_cannot_take_a_payment_to_paper_and_nothing_changes()
    {
        var id = await StuckPaymentAsync("ZF-0002", "100.00");

        var alone = TakeToPaper(id, TestNetwork.FinanceChecker, TestNetwork.FinanceChecker);

        Assert.Equal(LibraryRejection.SameMakerAndChecker, alone.Rejection);
        Assert.Equal(1, Undelivered(id));
        Assert.Empty(Library.EmergencyPapers());
    }

    [Fact]
    public async Task A_payment_the_bank_received_is_not_taken_to_paper_and_an_ordinary_paper_is_still_refused_in_electronic_mode()
    {
        var id = await StuckPaymentAsync("ZF-0003", "100.00");
        await _net.SettleAndProcessAsync();

        var late = TakeToPaper(id);

        Assert.Equal(LibraryRejection.IllegalTransition, late.Rejection);
        Assert.Empty(Library.EmergencyPapers());
        Assert.StartsWith(nameof(BankRejection.UnitNotOnPaper), Bank.RegisterPaperPayment(Paper("ZF-0004", "1.00"), Day).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_message_had_got_through_after_all_the_paper_is_refused_and_the_reconciliation_says_paid_electronically()
    {
        var id = await StuckPaymentAsync("ZF-0005", "250.00");
        var message = TestNetwork.Count(_net.Finance, "SELECT id FROM outbox WHERE voucher_id = @id", new { id });
        using (var connection = Library.Database.Connect())
        {
            // The bank got the message but its answer never came back: Finance still holds it as undelivered.
            var row = Dapper.SqlMapper.QuerySingle<(string MessageId, byte[] Payload)>(connection, "SELECT message_id AS MessageId, payload AS Payload FROM outbox WHERE id = @message", new { message });
            Assert.Equal(DeliveryAnswer.Accepted, _net.Bank102.Library.Receive(new TransportMessage(row.MessageId, _net.Finance.Party, TestNetwork.Bank102Party, MessageKind.Voucher, row.Payload)));
        }

        TakeToPaper(id).ThrowIfRefused();
        await _net.SettleAndProcessAsync(); // The bank pays the electronic 8202 it holds.

        var paper = Bank.RegisterEmergencyPaperPayment(Paper("ZF-0005", "250.00"), Day);
        Assert.StartsWith(nameof(BankRejection.PaidElectronically), paper.Message, StringComparison.Ordinal);
        Assert.Equal(25_000, QuotaPaid());
        Assert.Equal(PaperOutcome.PaidElectronically, Assert.Single(Reconcile()).Outcome);
    }

    [Fact]
    public async Task A_paper_registered_with_another_amount_than_the_voucher_is_named_as_a_mismatch()
    {
        var id = await StuckPaymentAsync("ZF-0006", "400.00");
        TakeToPaper(id).ThrowIfRefused();
        Bank.RegisterEmergencyPaperPayment(Paper("ZF-0006", "40.00"), Day).ThrowIfRefused(); // The counter typed 40.00 for 400.00.

        var line = Assert.Single(Reconcile());

        Assert.Equal(PaperOutcome.AmountDiffers, line.Outcome);
        Assert.True(line.Mismatch);
        Assert.Equal(4_000, line.PaperFen);
    }
}
