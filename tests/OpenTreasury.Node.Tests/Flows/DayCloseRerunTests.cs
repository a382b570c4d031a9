using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>
/// PBOC's period statements (3501/3502/4004/4005 凭证对账, 3507 清算信息对账) are numbered by period and counterpart: closing
/// a day again after more was paid and cleared (a payment made between two demo runs) keeps the statements already sent
/// and makes none twice, instead of failing on its own numbers.
/// </summary>
public sealed class DayCloseRerunTests : IDisposable
{
    private static readonly DateOnly Day = TestNetwork.BusinessDate;

    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    private async Task PayAndClearAsync(string voucherNo, string amount)
    {
        _net.SendPayment(voucherNo, amount);
        await _net.SettleAndProcessAsync();
        _net.Bank102.BankDesk!.RequestClearing(Day);
        await _net.SettleAndProcessAsync();
    }

    [Fact]
    public async Task Closing_a_day_again_after_a_later_payment_keeps_the_statements_sent_and_sends_none_twice()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("10000.00")));
        await PayAndClearAsync("SY-0001", "100.00");
        var pboc = _net.Pboc.PbocDesk!;
        var first = pboc.SendVoucherReconciliation(Day).Concat(pboc.SendClearingReconciliation(Day, Day)).ToList();
        await _net.SettleAndProcessAsync();
        var statements = TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM vouchers WHERE origin = 'own' AND vt_code IN ('3501', '3502', '4004', '4005', '3507')");

        await PayAndClearAsync("SY-0002", "50.00");
        var again = pboc.SendVoucherReconciliation(Day).Concat(pboc.SendClearingReconciliation(Day, Day)).ToList();

        Assert.NotEmpty(first);
        Assert.All(again, r => Assert.True(r.Ok, r.Message));
        Assert.Equal(first.Select(r => r.VoucherId), again.Select(r => r.VoucherId).Take(first.Count));
        Assert.Equal(statements, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM vouchers WHERE origin = 'own' AND vt_code IN ('3501', '3502', '4004', '4005', '3507')"));
    }
}
