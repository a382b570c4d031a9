using System.Globalization;
using Dapper;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Library;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>
/// 代发工资: a unit's payroll as one 8202 of <see cref="Limits.VoucherDetailsMax"/> lines (a line per person and pay
/// item), written and stamped by two people of the unit, verified and stored by the bank, paid within quota line by
/// line, signed for, cleared, reported and reconciled to the fen.
/// </summary>
public sealed class PayrollTests : IDisposable
{
    private static readonly DateOnly Day = TestNetwork.BusinessDate;

    /// <summary>A month's pay of ten thousand lines is some 30 million yuan: the treasury and the unit's indicator are set for it.</summary>
    private static readonly Amount Budget = Amount.FromYuan(50_000_000);

    private readonly TestNetwork _net = new(openTreasury: false, indicators: false);

    public PayrollTests()
    {
        _net.Pboc.PbocDesk!.OpenTreasuryAccount(Budget).ThrowIfRefused();
        _net.Finance.FinanceDesk!.RegisterIndicators("工资预算指标", [new IndicatorLine(TestNetwork.Agency, TestNetwork.FuncCode, Budget)]).ThrowIfRefused();
    }

    public void Dispose() => _net.Dispose();

    /// <summary>Person i's line: 基本工资 or 津贴补贴 alternately, 3,000.00 + (i mod 997) × 0.01 yuan.</summary>
    private static PaymentLine[] Payroll(int lines) =>
    [
        .. Enumerable.Range(0, lines).Select(i => new PaymentLine(
            i % 2 == 0 ? "30101" : "30102",
            i % 2 == 0 ? "基本工资" : "津贴补贴",
            new Amount(300_000 + (i % 997)),
            string.Create(CultureInfo.InvariantCulture, $"代发工资 职工{i / 2 + 1:D5}"))),
    ];

    [Fact]
    public async Task A_payroll_of_the_longest_voucher_is_paid_cleared_reported_and_reconciled_to_the_fen()
    {
        var lines = Payroll(Limits.VoucherDetailsMax);
        var total = Amount.Sum(lines.Select(l => l.Amount));
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Budget));

        var order = _net.Order("GZ-202603", total) with { Lines = lines };
        var sent = _net.Finance.FinanceDesk!.SubmitPayment(order, Day).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        // The bank verified the four stamps, stored every line, paid every one of them against the unit's quota and signed for it.
        var delivery = TestNetwork.DeliveryOf(_net.Finance, sent.VoucherId);
        Assert.True(delivery.Status == VoucherStatus.SignedFor, $"{delivery.Status}: {delivery.Reason}");
        using (var bank = _net.Bank102.Library.Database.Connect())
        {
            var received = bank.QuerySingle<long>("SELECT id FROM vouchers WHERE origin = 'received' AND vt_code = '8202' AND voucher_no = 'GZ-202603'");
            Assert.Equal(lines.Length, bank.ExecuteScalar<long>("SELECT COUNT(*) FROM voucher_lines WHERE voucher_id = @received", new { received }));
            Assert.True(_net.Bank102.Library.CheckIntegrity(_net.Bank102.Library.Find(received)!).Intact); // the bytes, the index, the four stamps
            var stored = _net.Bank102.Library.Find(received)!.Content;
            Assert.Equal(lines.Length, stored.Details.Count);
            Assert.Equal("代发工资 职工05000", stored.Details[^1]["Remark"]);
            Assert.Equal(
                (lines.Length, total.Fen),
                bank.QuerySingle<(long, long)>("SELECT COUNT(*), SUM(amount_fen) FROM bank_payments WHERE voucher_no = 'GZ-202603'"));
            Assert.Equal(total.Fen, bank.ExecuteScalar<long>("SELECT paid_fen FROM bank_quotas WHERE agency_code = @agency AND exp_func_code = @func", new { agency = TestNetwork.Agency, func = TestNetwork.FuncCode }));
        }

        _net.Bank102.BankDesk!.RequestClearing(Day);
        await _net.SettleAndProcessAsync();
        _net.Bank102.BankDesk!.SendDailyReport(Day);
        await _net.SettleAndProcessAsync();

        var report = FinanceReconciliation.Reconcile(FinanceBooksReader.Read(_net.Finance.Library, _net.Master, Day));
        Assert.True(report.Balanced, string.Join("; ", report.Mismatches.Select(m => m.Description)));
        Assert.Equal(total, report.Paid);
        Assert.Equal(total, report.Cleared);
    }

    [Fact]
    public async Task Lines_that_do_not_add_up_to_the_amount_are_refused_and_nothing_is_stored()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Budget));
        var lines = Payroll(3);
        var total = Amount.Sum(lines.Select(l => l.Amount));
        var before = TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM vouchers");

        var result = _net.Finance.FinanceDesk!.SubmitPayment(_net.Order("GZ-BAD", total + new Amount(1)) with { Lines = lines }, Day);

        Assert.False(result.Ok);
        Assert.Equal(LibraryRejection.InvalidVoucher, result.Rejection);
        Assert.Equal($"the detail lines add up to {total.ToWire()}, not the amount {(total + new Amount(1)).ToWire()} (明细金额合计与支付金额不符)", result.Message);
        Assert.Equal(before, TestNetwork.Count(_net.Finance, "SELECT COUNT(*) FROM vouchers"));

        // The same lines under their own total go through, and every line is indexed as the bytes say.
        var sent = _net.Finance.FinanceDesk!.SubmitPayment(_net.Order("GZ-OK", total) with { Lines = lines }, Day).ThrowIfRefused();
        Assert.True(_net.Finance.Library.CheckIntegrity(_net.Finance.Library.Find(sent.VoucherId)!).Intact);
    }

    [Fact]
    public void A_payroll_is_indexed_line_for_line_across_the_index_statements()
    {
        var lines = Payroll(23); // two statements of ten lines and one of three
        var sent = _net.Finance.FinanceDesk!.SubmitPayment(_net.Order("GZ-23", Amount.Sum(lines.Select(l => l.Amount))) with { Lines = lines }, Day).ThrowIfRefused();

        using var connection = _net.Finance.Library.Database.Connect();
        Assert.Equal(
            lines.Select(l => l.Amount.Fen),
            connection.Query<long>("SELECT pay_amt_fen FROM voucher_lines WHERE voucher_id = @id ORDER BY line", new { id = sent.VoucherId }));
        Assert.True(_net.Finance.Library.CheckIntegrity(_net.Finance.Library.Find(sent.VoucherId)!).Intact);
    }
}
