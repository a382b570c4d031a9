using System.Text;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Seals;
using OpenTreasury.Node.Signing;
using OpenTreasury.Trust.Seals;

namespace OpenTreasury.Node.Tests.Receiving;

/// <summary>
/// The receive path: only a voucher whose content and signature verify is stored; a repeat replays
/// the answer; a conflicting repeat, a stale version or garbage is refused and logged.
/// </summary>
public sealed class ReceivingTests : IDisposable
{
    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    private TreasuryNodeCounts BankCounts => new(
        TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM vouchers"),
        TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM inbox"),
        TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM rejected_messages"));

    private static TransportMessage FromFinance(byte[] payload, string to = "bank-102") =>
        new("test-message", PartyId.Finance, PartyId.Parse(to), MessageKind.Voucher, payload);

    private byte[] ExportedPayment(string voucherNo = "ZF-0001") => _net.Finance.Library.Export(_net.SendPayment(voucherNo));

    [Fact]
    public void A_genuine_voucher_is_received_and_stored_with_its_stamp()
    {
        var answer = _net.Bank102.Library.Receive(FromFinance(ExportedPayment()));

        Assert.Equal(DeliveryAnswer.Accepted, answer);
        Assert.Equal(new TreasuryNodeCounts(1, 1, 0), BankCounts);
        var stored = Assert.Single(_net.Bank102.Library.ReadReceived());
        Assert.Equal(["dw_cwzyz", "dw_frz", "dw_fzrsz", "dw_jbrsz"], _net.Bank102.Library.Stamps(stored.Id).Select(s => s.Position).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void One_amount_digit_changed_inside_the_signed_voucher_fails_the_signature_and_stores_nothing()
    {
        var genuine = ExportedPayment();
        var tampered = Tamper.OneAmountDigit(genuine);
        Assert.NotEqual(Tamper.Read(genuine).InnerVoucher, Tamper.Read(tampered).InnerVoucher);
        Assert.Equal(Tamper.Read(genuine).InnerVoucher.Length, Tamper.Read(tampered).InnerVoucher.Length);

        var answer = _net.Bank102.Library.Receive(FromFinance(tampered));

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
        Assert.Contains("BadSignature", answer.Reason, StringComparison.Ordinal);
        Assert.Contains("DataHashMismatch", answer.Reason, StringComparison.Ordinal);
        Assert.Equal(new TreasuryNodeCounts(0, 0, 1), BankCounts);
    }

    [Fact]
    public void A_refused_forgery_does_not_block_the_genuine_voucher_that_follows()
    {
        var genuine = ExportedPayment();
        _net.Bank102.Library.Receive(FromFinance(Tamper.OneAmountDigit(genuine)));

        var answer = _net.Bank102.Library.Receive(FromFinance(genuine));

        Assert.Equal(DeliveryAnswer.Accepted, answer);
        Assert.Equal(new TreasuryNodeCounts(1, 1, 1), BankCounts);
    }

    [Fact]
    public void A_public_seal_replaced_by_another_partys_seal_over_the_same_bytes_is_refused_as_not_allowed_at_the_position()
    {
        var genuine = ExportedPayment();
        var body = Tamper.Read(genuine);
        var bank = _net.Bank102.Library;
        var sealDer = new SealRegistry(bank.Database).List().Single(s => s.OwnerParty == "bank-102" && s.Type == SealType.BusinessSeal).Der;
        Assert.True(ElectronicSeal.TryParse(sealDer, out var seal, out _));
        var der = bank.Signing.StampAsInstitution(seal, body.InnerVoucher, SignatureServer.PropertyInfo(body.Key, body.Version, "dw_cwzyz", OpenTreasury.Domain.Seals.StampTemplate.DefaultVersion), _net.Clock.GetUtcNow()).Der;
        var forged = Tamper.Body(genuine, b => b with { Stamps = [.. b.Stamps.Select(s => s.Position == "dw_cwzyz" ? s with { Der = der } : s)] });

        var answer = _net.Bank102.Library.Receive(FromFinance(forged));

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
        Assert.StartsWith(nameof(Node.Library.ReceiveFailure.BadSignature), answer.Reason, StringComparison.Ordinal);
        Assert.Contains(nameof(StampFailure.PositionNotAllowed), answer.Reason, StringComparison.Ordinal);
        Assert.Equal(new TreasuryNodeCounts(0, 0, 1), BankCounts);
    }

    [Fact]
    public void A_voucher_without_its_stamp_is_refused()
    {
        var stripped = Tamper.Body(ExportedPayment(), b => b with { Stamps = [] });

        var answer = _net.Bank102.Library.Receive(FromFinance(stripped));

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
        Assert.StartsWith("MissingStamp", answer.Reason, StringComparison.Ordinal);
        Assert.Equal(new TreasuryNodeCounts(0, 0, 1), BankCounts);
    }

    [Fact]
    public void The_same_message_delivered_twice_gets_the_same_answer_and_is_stored_exactly_once()
    {
        var message = FromFinance(ExportedPayment());

        var first = _net.Bank102.Library.Receive(message);
        var second = _net.Bank102.Library.Receive(message);

        Assert.Equal(first, second);
        Assert.Equal(new TreasuryNodeCounts(1, 1, 0), BankCounts);
        Assert.Single(_net.Bank102.Library.ReadReceived());
    }

    [Fact]
    public void The_same_key_and_version_with_other_content_is_refused_as_a_conflicting_duplicate_and_logged()
    {
        var genuine = ExportedPayment();
        _net.Bank102.Library.Receive(FromFinance(genuine));

        var answer = _net.Bank102.Library.Receive(FromFinance(Tamper.OneAmountDigit(genuine)));

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
        Assert.StartsWith(nameof(Node.Library.ReceiveFailure.DuplicateWithDifferentContent), answer.Reason, StringComparison.Ordinal);
        Assert.Equal(new TreasuryNodeCounts(1, 1, 1), BankCounts);
        Assert.Equal(1, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM rejected_messages WHERE code = 'DuplicateWithDifferentContent'"));
        Assert.Equal("1234.50", new Amount(_net.Bank102.Library.ReadReceived().Single().AmountFen!.Value).ToWire());
    }

    [Fact]
    public async Task An_older_version_arriving_after_a_newer_one_is_refused_as_stale()
    {
        // 5106 v1 goes Finance → PBOC; PBOC answers with its 回单, v2, which Finance holds.
        _net.Finance.FinanceDesk!.IssueQuota(3, TestNetwork.BusinessDate, [new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.FromYuan(1_000))]);
        await _net.SettleAndProcessAsync();
        var reply = _net.Pboc.Library.List("5106").Single(v => v.IsReply);
        Assert.Equal(2, reply.Version);
        var financeRowsBefore = TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM vouchers");

        var older = Tamper.Body(_net.Pboc.Library.Export(reply.Id), b => b with { Version = 1 });
        var answer = _net.Finance.Library.Receive(new TransportMessage("replayed", PartyId.Pboc, PartyId.Finance, MessageKind.Voucher, older));

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
        Assert.StartsWith(nameof(Node.Library.ReceiveFailure.StaleVersion), answer.Reason, StringComparison.Ordinal);
        Assert.Equal(financeRowsBefore, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM vouchers"));
        Assert.Equal(1, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM rejected_messages WHERE code = 'StaleVersion'"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not xml at all")]
    [InlineData("<?xml version=\"1.0\" encoding=\"GBK\"?><MOF><VoucherCount>1</VoucherCount></MOF>")]
    [InlineData("<?xml version=\"1.0\" encoding=\"GBK\"?><MOF><VoucherCount>1</VoucherCount><VoucherBody AdmDivCode=\"533103\" StYear=\"2026\" VtCode=\"9999\" VoucherNo=\"X1\" Version=\"1\"><VoucherFlag>0</VoucherFlag><Voucher>AAAA</Voucher></VoucherBody></MOF>")]
    public void Malformed_bytes_are_refused_with_status_2_and_never_crash_the_receiver(string text)
    {
        var answer = _net.Bank102.Library.Receive(FromFinance(Encoding.ASCII.GetBytes(text)));

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
        Assert.False(string.IsNullOrEmpty(answer.Reason));
        Assert.Equal(new TreasuryNodeCounts(0, 0, 1), BankCounts);
    }

    [Fact]
    public void A_truncated_envelope_is_refused_with_status_2()
    {
        var genuine = ExportedPayment();

        var answer = _net.Bank102.Library.Receive(FromFinance(genuine[..(genuine.Length / 2)]));

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
        Assert.StartsWith(nameof(Node.Library.ReceiveFailure.MalformedMessage), answer.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_addressed_to_another_party_is_refused()
    {
        var answer = _net.Bank102.Library.Receive(FromFinance(ExportedPayment(), to: "bank-103"));

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
        Assert.StartsWith(nameof(Node.Library.ReceiveFailure.WrongReceiver), answer.Reason, StringComparison.Ordinal);
        Assert.Equal(0, BankCounts.Vouchers);
    }

    [Fact]
    public void A_payment_voucher_delivered_to_a_party_that_does_not_receive_it_is_refused()
    {
        var answer = _net.Pboc.Library.Receive(FromFinance(ExportedPayment(), to: "pboc"));

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
        Assert.StartsWith(nameof(Node.Library.ReceiveFailure.WrongReceiver), answer.Reason, StringComparison.Ordinal);
        Assert.Equal(0, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM vouchers"));
    }

    [Fact]
    public void A_voucher_claimed_to_come_from_a_party_that_may_not_send_it_is_refused()
    {
        var message = new TransportMessage("m", TestNetwork.Bank103Party, TestNetwork.Bank102Party, MessageKind.Voucher, ExportedPayment());

        var answer = _net.Bank102.Library.Receive(message);

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
        Assert.StartsWith(nameof(Node.Library.ReceiveFailure.WrongSender), answer.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("{\"Notice\":\"!!!\",\"Signature\":\"AA==\"}")]
    [InlineData("{\"Notice\":\"e30=\",\"Signature\":\"AA==\"}")]
    public void A_garbage_status_notice_is_refused_and_never_crashes_the_receiver(string text)
    {
        var message = new TransportMessage("m", TestNetwork.Bank102Party, PartyId.Finance, MessageKind.Status, Encoding.UTF8.GetBytes(text));

        var answer = _net.Finance.Library.Receive(message);

        Assert.Equal(VoucherStatus.ReceiveFailed, answer.Status);
    }

    private sealed record TreasuryNodeCounts(long Vouchers, long Inbox, long Rejected);
}
