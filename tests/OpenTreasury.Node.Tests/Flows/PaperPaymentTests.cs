using OpenTreasury.Business.Bank;
using OpenTreasury.Business.Checks;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>过渡期 (seed 九): a unit pays on paper, electronically or both; each payment number is paid once, one way.</summary>
public sealed class PaperPaymentTests : IDisposable
{
    private static readonly DateOnly Day = TestNetwork.BusinessDate;

    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    private BankDesk Bank => _net.Bank102.BankDesk!;

    private FinanceDesk Finance => _net.Finance.FinanceDesk!;

    private PaperPayment Paper(string no, string amount) =>
        new(no, TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire(amount), _net.Master.Payees[0].AccountNo, _net.Master.Payees[0].Name);

    private long QuotaPaid() => TestNetwork.Count(_net.Bank102, "SELECT paid_fen FROM bank_quotas WHERE agency_code = @a AND exp_func_code = @f", new { a = TestNetwork.Agency, f = TestNetwork.FuncCode });

    private static void AssertCode(BankRejection code, string? message) =>
        Assert.StartsWith($"{code} ({(int)code})", message, StringComparison.Ordinal);

    [Fact]
    public async Task A_payment_registered_on_paper_is_returned_when_it_also_arrives_electronically()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        Bank.SetUnitMode(TestNetwork.Agency, UnitPaymentMode.Parallel).ThrowIfRefused();
        Bank.RegisterPaperPayment(Paper("ZF-0001", "300.00"), Day).ThrowIfRefused();
        Bank.RegisterPaperPayment(Paper("ZF-0001", "300.00"), Day).ThrowIfRefused(); // the same paper again: once
        Assert.Equal(30_000, QuotaPaid());

        var sent = Finance.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("300.00")), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        var delivery = TestNetwork.DeliveryOf(_net.Finance, sent.VoucherId);
        Assert.Equal(VoucherStatus.Returned, delivery.Status);
        AssertCode(BankRejection.PaidOnPaper, delivery.Reason);
        Assert.Equal(30_000, QuotaPaid());
        Assert.Equal(0, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM bank_payments"));
        Assert.Empty(NodeCheck.Run(_net.Bank102).Differences);
    }

    [Fact]
    public async Task A_payment_made_electronically_cannot_also_be_registered_on_paper_and_another_number_can()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        Bank.SetUnitMode(TestNetwork.Agency, UnitPaymentMode.Parallel).ThrowIfRefused();
        Finance.SubmitPayment(_net.Order("ZF-0002", Amount.ParseWire("200.00")), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        var twice = Bank.RegisterPaperPayment(Paper("ZF-0002", "200.00"), Day);
        AssertCode(BankRejection.PaidElectronically, twice.Message);
        var beyond = Bank.RegisterPaperPayment(Paper("ZF-0003", "800.01"), Day);
        AssertCode(BankRejection.QuotaExceeded, beyond.Message);
        Assert.Equal(20_000, QuotaPaid());

        Bank.RegisterPaperPayment(Paper("ZF-0003", "800.00"), Day).ThrowIfRefused();
        Assert.Equal(100_000, QuotaPaid());
        Assert.Empty(NodeCheck.Run(_net.Bank102).Differences);
        Assert.Equal(1, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM audit WHERE operation = 'paper-payment-refused' AND subject = 'paper/101001/ZF-0002'"));
    }

    [Fact]
    public async Task An_electronic_unit_takes_no_paper_and_a_paper_unit_takes_no_8202()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));

        AssertCode(BankRejection.UnitNotOnPaper, Bank.RegisterPaperPayment(Paper("ZF-0004", "1.00"), Day).Message);

        Bank.SetUnitMode(TestNetwork.Agency, UnitPaymentMode.Paper).ThrowIfRefused();
        var sent = Finance.SubmitPayment(_net.Order("ZF-0005", Amount.ParseWire("1.00")), Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        AssertCode(BankRejection.UnitOnPaper, TestNetwork.DeliveryOf(_net.Finance, sent.VoucherId).Reason);
        AssertCode(BankRejection.NotOurUnit, Bank.SetUnitMode("103001", UnitPaymentMode.Paper).Message);
        Assert.Equal(0, QuotaPaid());
    }
}
