using OpenTreasury.Business.Finance;
using OpenTreasury.Business.Finance.Received;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>Finance's VtCode → handler table: every row reaches its use case; anything else is refused with a stable code.</summary>
public sealed class FinanceRoutesTests : IDisposable
{
    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    public static TheoryData<string, bool, string> Rows => new()
    {
        { "2105", false, nameof(SignForBooks) },
        { "5106", true, nameof(SignForBooks) },
        { "2301", true, nameof(SignForBooks) },
        { "2207", false, nameof(SignForBooks) },
        { "5201", true, nameof(SignForBooks) },
        { "5108", true, nameof(SignForBooks) },
        { "2209", false, nameof(SignForBooks) },
        { "2206", false, nameof(SignForBooks) },
        { "5207", true, nameof(SignForBooks) },
        { "3208", false, nameof(BookAllocationRefund) },
        { "2302", true, nameof(SignForBooks) },
        { "2203", false, nameof(SignForBooks) },
        { "2204", false, nameof(SignForBooks) },
        { "2208", false, nameof(SignForBooks) },
        { "3501", false, nameof(CheckVoucherStatement) },
        { "4004", false, nameof(CheckVoucherStatement) },
        { "3507", false, nameof(AnswerClearingStatement) },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Every_row_routes_to_its_handler(string vtCode, bool isReply, string handler)
    {
        var route = FinanceRoutes.Table[(vtCode, isReply)];

        Assert.Equal(handler, route.Handle.Method.DeclaringType!.Name);
        Assert.Equal("Handle", route.Handle.Method.Name);
    }

    [Fact]
    public void The_table_has_exactly_the_rows_above_and_every_type_finance_can_receive()
    {
        var expected = Rows.Select(r => ((string)r[0], (bool)r[1])).Order().ToList();

        Assert.Equal(expected, FinanceRoutes.Table.Keys.Order().ToList());
    }

    [Fact]
    public async Task A_voucher_type_not_in_the_table_is_refused_with_UnknownVoucherType_and_counted_as_other()
    {
        // A 2105 reaches Finance but is not worked yet; the table is then asked for a VtCode it has no row for.
        _net.Finance.FinanceDesk!.IssueQuota(3, TestNetwork.BusinessDate, [new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00"))]);
        await _net.SettleAsync();
        _net.Bank102.BankDesk!.ProcessReceived(TestNetwork.BusinessDate);
        await _net.SettleAsync();
        var finance = _net.Finance;
        var received = finance.Library.List("2105").Single(v => v.Origin == "received");
        var context = new FinanceContext(finance.Library, _net.Master, finance.Signers);
        var shift = new FinanceShift(context);
        var unknown = received with { VtCode = "9999" };

        var outcome = finance.Library.Run(s => FinanceRoutes.Handle(shift, s, unknown)).ThrowIfRefused();
        var pass = FinanceRoutes.Count(new FinancePass(0, 0, 0, 0), unknown, outcome);
        await _net.SettleAsync();

        Assert.Equal("UnknownVoucherType (1): 财政不处理 9999 凭证", FinanceRoutes.UnknownVoucherType("9999"));
        Assert.Equal(1, pass.Other);
        Assert.Equal(1, pass.Handled);
        var notice = _net.Bank102.Library.List("2105").Single(v => v.Origin == "own");
        var delivery = TestNetwork.DeliveryOf(_net.Bank102, notice.Id);
        Assert.Equal(VoucherStatus.SignForFailed, delivery.Status);
        Assert.Equal(FinanceRoutes.UnknownVoucherType("9999"), delivery.Reason);
    }
}
