using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;

namespace OpenTreasury.Node.Tests.Bank;

/// <summary>2105 到账通知书: one per unit, so each unit reads its own arrival notice of the quota its bank booked.</summary>
public sealed class ArrivalNoticeTests : IDisposable
{
    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    [Fact]
    public async Task A_5105_of_two_units_is_answered_with_one_2105_per_unit_carrying_only_its_lines()
    {
        var second = _net.Master.Units.First(u => u.BankCode == "102" && u.AgencyCode != TestNetwork.Agency);
        await _net.IssueQuotaAsync(
            new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")),
            new QuotaPlanLine(second.AgencyCode, second.Classes[0].ExpFuncCode, Amount.ParseWire("250.50")));

        var notices = _net.Finance.Library.List("2105").Where(v => v.Origin == "received").OrderBy(v => v.VoucherNo, StringComparer.Ordinal).ToList();

        Assert.Equal(2, notices.Count);
        Assert.All(notices, n => Assert.Single(n.Content.Details.Select(d => d["AgencyCode"]).Distinct()));
        var byUnit = notices.ToDictionary(n => n.Content.Details[0]["AgencyCode"]!, n => n.Content["PlanAmt"]);
        Assert.Equal("1000.00", byUnit[TestNetwork.Agency]);
        Assert.Equal("250.50", byUnit[second.AgencyCode]);
        Assert.All(notices, n => Assert.Equal("signed_for", n.State));
    }
}
