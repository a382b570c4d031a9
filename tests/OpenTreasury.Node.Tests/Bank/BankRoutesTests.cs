using OpenTreasury.Business.Bank;
using OpenTreasury.Business.Bank.Received;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Node.Tests.Bank;

/// <summary>The bank's VtCode → handler table: every row reaches its use case; anything else is refused with a stable code.</summary>
public sealed class BankRoutesTests : IDisposable
{
    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    public static TheoryData<string, bool, string> Rows => new()
    {
        { "5105", false, nameof(BookQuota) },
        { "8202", false, nameof(PayAuthorizedVoucher) },
        { "5201", false, nameof(PayDirectVoucher) },
        { "2301", true, nameof(RecordClearing) },
        { "2302", true, nameof(RecordRefund) },
        { "3502", false, nameof(CheckVoucherStatement) },
        { "4005", false, nameof(CheckVoucherStatement) },
        { "3507", false, nameof(AnswerClearingStatement) },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Every_row_routes_to_its_handler(string vtCode, bool isReply, string handler)
    {
        var route = BankRoutes.Table[(vtCode, isReply)];

        Assert.Equal(handler, route.Handle.Method.DeclaringType!.Name);
        Assert.Equal("Handle", route.Handle.Method.Name);
    }

    [Fact]
    public void The_table_has_exactly_the_rows_above()
    {
        var expected = Rows.Select(r => ((string)r[0], (bool)r[1])).Order().ToList();

        Assert.Equal(expected, BankRoutes.Table.Keys.Order().ToList());
    }

    [Fact]
    public async Task A_voucher_type_not_in_the_table_is_refused_with_UnknownVoucherType_and_counted_as_refused()
    {
        // A 5105 reaches bank 102 but is not worked yet; the table is then asked for a VtCode it has no row for.
        _net.Finance.FinanceDesk!.IssueQuota(3, TestNetwork.BusinessDate, [new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00"))]);
        await _net.SettleAsync();
        var bank = _net.Bank102;
        var received = bank.Library.List("5105").Single(v => v.Origin == "received");
        var context = new BankContext(bank.Library, _net.Master, _net.Master.Bank("102"), bank.Signers, new ClosedAccountList(_net.Master.ClosedAccounts));
        var shift = new BankShift(context, bank.Signers.SignerFor(context.Clerk), bank.Signers.SignerFor(context.Reviewer), TestNetwork.BusinessDate);
        var unknown = received with { VtCode = "9999" };

        var outcome = bank.Library.Run(s => BankRoutes.Handle(shift, s, unknown)).ThrowIfRefused();
        var pass = BankRoutes.Count(new BankPass(0, 0, 0, 0, 0), unknown, outcome);
        await _net.SettleAsync();

        Assert.Equal("UnknownVoucherType (3): 代理银行不处理 9999 凭证", BankRoutes.UnknownVoucherType("9999"));
        Assert.Equal(1, pass.Refused);
        Assert.Equal(1, pass.Handled);
        var original = _net.Finance.Library.List("5105").Single(v => v.Origin == "own" && v.Content["PayBankCode"] == "102");
        var delivery = TestNetwork.DeliveryOf(_net.Finance, original.Id);
        Assert.Equal(VoucherStatus.SignForFailed, delivery.Status);
        Assert.Equal(BankRoutes.UnknownVoucherType("9999"), delivery.Reason);
        Assert.Equal(0, TestNetwork.Count(bank, "SELECT COUNT(*) FROM bank_quotas"));
    }

    [Fact]
    public async Task A_payment_beyond_quota_is_returned_with_the_code_in_front_of_the_chinese_reason()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        var beyond = _net.Finance.FinanceDesk!.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("1000.01")), TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        var delivery = TestNetwork.DeliveryOf(_net.Finance, beyond.VoucherId);
        Assert.Equal(VoucherStatus.Returned, delivery.Status);
        Assert.StartsWith($"QuotaExceeded ({(int)BankRejection.QuotaExceeded}): 额度不足, 预算单位 {TestNetwork.Agency}", delivery.Reason, StringComparison.Ordinal);
    }
}
