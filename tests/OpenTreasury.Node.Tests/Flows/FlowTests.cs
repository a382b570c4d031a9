using System.Data.Common;
using System.Text.Json;
using Dapper;
using OpenTreasury.Business.Finance;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Audit;
using OpenTreasury.Simulation.Demo;

namespace OpenTreasury.Node.Tests.Flows;

/// <summary>Whole flows across the four parties: quota, payment, clearing, daily report, reconciliation.</summary>
public sealed class FlowTests : IDisposable
{
    private readonly TestNetwork _net = new();

    public void Dispose() => _net.Dispose();

    private Task<DemoSummary> RunDemoAsync(int seed = 7, int payments = 30) =>
        new DemoRunner(_net.Network, _ => { }).RunAsync(DemoPlan.Create(_net.Master, seed, payments));

    private Dictionary<string, long> VoucherRowsPerParty() =>
        _net.Network.Nodes.ToDictionary(n => n.Key.ToString(), n => TestNetwork.Count(n.Value, "SELECT COUNT(*) FROM vouchers"));

    [Fact]
    public async Task A_day_of_payments_balances_every_book_and_leaves_every_audit_chain_intact()
    {
        var summary = await RunDemoAsync();

        Assert.Equal(30, summary.Payments.Requested);
        Assert.Equal(summary.Payments.Requested, summary.Payments.Paid + summary.Payments.Rejected);
        Assert.True(summary.Payments.Paid > 0, "some payments are paid");
        Assert.Equal(Amount.ParseWire(summary.Quota.Issued), Amount.ParseWire(summary.Quota.Paid) + Amount.ParseWire(summary.Quota.Remaining));
        // One authorized payment is partly refunded (100.00), and its quota restored when PBOC's 回单 arrived.
        Assert.Equal(Amount.ParseWire(summary.Payments.PaidAmount) - Amount.ParseWire("100.00"), Amount.ParseWire(summary.Quota.Paid));
        Assert.Equal(2, summary.Flows!.Refunds);
        Assert.Equal(summary.Flows.Statements!.Checked, summary.Flows.Statements.Balanced);
        Assert.NotEmpty(summary.Flows.ClearingAnswers);
        Assert.All(summary.Flows.ClearingAnswers, a => Assert.Equal(0, a.XCheckResult));
        Assert.True(summary.Flows.Ledgers!.FinanceTrialBalanced);

        // The journal's quota account is what the banks still hold for the units.
        Assert.Equal(summary.Quota.Remaining, summary.Flows.Ledgers.Finance["1011 零余额账户用款额度"]);
        // Cleared = authorized payments (2301 type 12) + direct payments actually paid (type 11).
        Assert.Equal(Amount.ParseWire(summary.Payments.PaidAmount) + Amount.ParseWire(summary.Flows!.Direct.PaidAmount), Amount.ParseWire(summary.Clearing.Cleared));
        Assert.True(summary.Reconciliation.Balanced, string.Join("; ", summary.Reconciliation.Details));
        Assert.Equal(0, summary.Reconciliation.Mismatches);
        Assert.Equal(0, summary.Signatures.Failed);
        Assert.Equal(4, summary.AuditIntact.Count);
        Assert.All(summary.AuditIntact, party => Assert.True(party.Value, $"audit of {party.Key}"));
        Assert.Equal(30, summary.Vouchers.ByType["8202"]);
    }

    [Fact]
    public async Task Running_the_same_plan_twice_on_the_same_folder_changes_nothing()
    {
        var first = await RunDemoAsync();
        var rowsAfterFirst = VoucherRowsPerParty();
        var auditAfterFirst = TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM audit");

        var second = await RunDemoAsync();

        Assert.Equal(Comparable(first), Comparable(second));
        Assert.Equal(rowsAfterFirst, VoucherRowsPerParty());
        Assert.Equal(auditAfterFirst, TestNetwork.Count(_net.Pboc, "SELECT COUNT(*) FROM audit"));
        Assert.Equal(0, _net.Network.Nodes.Values.Sum(n => n.Worker.Pending()));

        static string Comparable(DemoSummary summary) => JsonSerializer.Serialize(summary with { ElapsedMs = 0 });
    }

    [Fact]
    public void A_bank_with_nothing_to_clear_sends_no_transfer_request()
    {
        var requests = _net.Bank102.BankDesk!.RequestClearing(TestNetwork.BusinessDate);

        Assert.Empty(requests);
        Assert.Empty(_net.Bank102.Library.List("2301"));
    }

    [Fact]
    public async Task Paying_beyond_quota_is_returned_with_the_reason_and_changes_no_quota()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        var finance = _net.Finance.FinanceDesk!;

        var beyond = finance.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("1000.01")), TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        var delivery = TestNetwork.DeliveryOf(_net.Finance, beyond.VoucherId);
        Assert.Equal(VoucherStatus.Returned, delivery.Status);
        Assert.Contains("QuotaExceeded", delivery.Reason, StringComparison.Ordinal);
        Assert.Equal((100_000, 0), Quota());
        Assert.Equal(0, TestNetwork.Count(_net.Bank102, "SELECT COUNT(*) FROM bank_payments"));

        var exact = finance.SubmitPayment(_net.Order("ZF-0002", Amount.ParseWire("1000.00")), TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        Assert.Equal(VoucherStatus.SignedFor, TestNetwork.DeliveryOf(_net.Finance, exact.VoucherId).Status);
        Assert.Equal((100_000, 100_000), Quota());
    }

    [Fact]
    public async Task Issuing_the_same_quota_and_submitting_the_same_order_again_makes_nothing_twice()
    {
        var line = new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00"));
        await _net.IssueQuotaAsync(line);
        var first = _net.Finance.FinanceDesk!.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("10.00")), TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();
        var rows = VoucherRowsPerParty();

        await _net.IssueQuotaAsync(line);
        var again = _net.Finance.FinanceDesk!.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("10.00")), TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        Assert.Equal(first.VoucherId, again.VoucherId);
        Assert.Equal(rows, VoucherRowsPerParty());
        Assert.Equal((100_000, 1_000), Quota());
    }

    [Fact]
    public async Task A_payment_for_a_unit_and_class_without_quota_is_returned_as_no_quota()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));

        var result = _net.Finance.FinanceDesk!.SubmitPayment(_net.Order("ZF-0001", Amount.ParseWire("1.00"), func: "2010350"), TestNetwork.BusinessDate).ThrowIfRefused();
        await _net.SettleAndProcessAsync();

        var delivery = TestNetwork.DeliveryOf(_net.Finance, result.VoucherId);
        Assert.Equal(VoucherStatus.Returned, delivery.Status);
        Assert.Contains("NoQuota", delivery.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_chain_names_the_first_entry_changed_behind_its_back()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        using var connection = _net.Finance.Library.Database.Connect();
        Assert.True(AuditLog.Verify(connection).Intact);

        // The trigger stops an honest mistake; someone with the file (or the database's owner) can drop it.
        Assert.ThrowsAny<DbException>(() => connection.Execute("UPDATE audit SET detail = 'x' WHERE seq = 3"));
        TestNetwork.DropTrigger(connection, "audit_no_update", "audit");
        connection.Execute("UPDATE audit SET detail = detail || ' ' WHERE seq = 3");

        var verdict = AuditLog.Verify(connection);

        Assert.False(verdict.Intact);
        Assert.Equal(3, verdict.FirstBrokenSeq);
    }

    [Fact]
    public async Task The_audit_chain_detects_a_deleted_entry()
    {
        await _net.IssueQuotaAsync(new QuotaPlanLine(TestNetwork.Agency, TestNetwork.FuncCode, Amount.ParseWire("1000.00")));
        using var connection = _net.Pboc.Library.Database.Connect();
        TestNetwork.DropTrigger(connection, "audit_no_delete", "audit");
        connection.Execute("DELETE FROM audit WHERE seq = 2");

        var verdict = AuditLog.Verify(connection);

        Assert.False(verdict.Intact);
        Assert.Equal(2, verdict.FirstBrokenSeq);
    }

    private (long Issued, long Paid) Quota()
    {
        using var connection = _net.Bank102.Library.Database.Connect();
        return connection.QuerySingle<(long, long)>("SELECT issued_fen, paid_fen FROM bank_quotas WHERE agency_code = @a AND exp_func_code = @f", new { a = TestNetwork.Agency, f = TestNetwork.FuncCode });
    }
}
