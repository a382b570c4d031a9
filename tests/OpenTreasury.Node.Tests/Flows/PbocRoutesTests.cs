using OpenTreasury.Business.Finance;
using OpenTreasury.Business.Pboc;
using OpenTreasury.Business.Pboc.Received;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>PBOC's VtCode → handler table: every row reaches its use case; anything else is refused with a stable code.</summary>
public sealed class PbocRoutesTests : IDisposable
{
    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    public static TheoryData<string, bool, string> Rows => new()
    {
        { "5106", false, nameof(BookClearingQuota) },
        { "5108", false, nameof(BookDirectClearingQuota) },
        { "2301", false, nameof(ClearTransferRequest) },
        { "5207", false, nameof(PayAllocation) },
        { "2302", false, nameof(CreditRefund) },
        { "5507", false, nameof(RecordClearingAnswer) },
        { "2507", false, nameof(RecordClearingAnswer) },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Every_row_routes_to_its_handler(string vtCode, bool isReply, string handler)
    {
        var route = PbocRoutes.Table[(vtCode, isReply)];

        Assert.Equal(handler, route.Handle.Method.DeclaringType!.Name);
        Assert.Equal("Handle", route.Handle.Method.Name);
    }

    [Fact]
    public void The_table_has_exactly_the_rows_above()
    {
        var expected = Rows.Select(r => ((string)r[0], (bool)r[1])).Order().ToList();

        Assert.Equal(expected, PbocRoutes.Table.Keys.Order().ToList());
    }

    [Fact]
    public async Task A_voucher_type_not_in_the_table_is_refused_with_UnknownVoucherType_and_counted_as_refused()
    {
        // A 5106 reaches PBOC but is not worked yet; the table is then asked for a VtCode it has no row for.
        _net.Finance.FinanceDesk!.IssueQuota(3, TestNetwork.BusinessDate, [new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00"))]);
        await _net.SettleAsync();
        var pboc = _net.Pboc;
        var received = pboc.Library.List("5106").Single(v => v.Origin == "received");
        var context = new PbocContext(pboc.Library, _net.Master, pboc.Signers, new Business.Bank.ClosedAccountList(_net.Master.ClosedAccounts));
        var shift = new PbocShift(context, pboc.Signers.SignerFor(PbocContext.Bookkeeper), pboc.Signers.SignerFor(PbocContext.Reviewer), TestNetwork.BusinessDate);
        var unknown = received with { VtCode = "9999" };

        var outcome = pboc.Library.Run(s => PbocRoutes.Handle(shift, s, unknown)).ThrowIfRefused();
        var pass = PbocRoutes.Count(new PbocPass(0, 0, 0, 0), unknown, outcome);
        await _net.SettleAsync();

        Assert.Equal("UnknownVoucherType (1): 人民银行国库不处理 9999 凭证", PbocRoutes.UnknownVoucherType("9999"));
        Assert.Equal(1, pass.Refused);
        Assert.Equal(1, pass.Handled);
        var original = _net.Finance.Library.List("5106").Single(v => v.Origin == "own");
        var delivery = _net.Finance.Library.Deliveries(original.Id).Single(d => d.Receiver == pboc.Party.ToString());
        Assert.Equal(VoucherStatus.SignForFailed, delivery.Status);
        Assert.Equal(PbocRoutes.UnknownVoucherType("9999"), delivery.Reason);
        Assert.Equal(0, TestNetwork.Count(pboc, "SELECT COUNT(*) FROM pboc_clearing_quotas"));
    }
}
