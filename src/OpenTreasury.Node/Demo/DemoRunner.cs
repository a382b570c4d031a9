using System.Diagnostics;
using Dapper;
using OpenTreasury.Domain.Money;
using OpenTreasury.Domain.Reconciliation;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Node.Audit;
using OpenTreasury.Node.Finance;
using OpenTreasury.Node.Network;

namespace OpenTreasury.Node.Demo;

/// <summary>
/// Runs a demo plan through a network, end to end: quota, payments, clearing, daily report,
/// reconciliation. Every step is idempotent, so a run killed at any moment and started again on
/// the same folder finishes the plan without repeating anything.
/// </summary>
public sealed class DemoRunner(TreasuryNetwork network, Action<string> progress)
{
    private const int PaymentBatch = 50;

    public async Task<DemoSummary> RunAsync(DemoPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var watch = Stopwatch.StartNew();
        var finance = network.Finance.FinanceDesk!;
        var date = plan.BusinessDate;

        progress($"额度下达 quota: {plan.Quota.Count} lines for month {plan.Month} (5105 to the banks, 5106 to PBOC)");
        finance.IssueQuota(plan.Month, date, plan.Quota);
        await SettleAndProcessAsync(date, cancellationToken).ConfigureAwait(false);

        for (var start = 0; start < plan.Payments.Count; start += PaymentBatch)
        {
            foreach (var order in plan.Payments.Skip(start).Take(PaymentBatch))
            {
                finance.SubmitPayment(order, date).ThrowIfRefused();
            }

            await SettleAndProcessAsync(date, cancellationToken).ConfigureAwait(false);
            progress($"授权支付 payments: {Math.Min(start + PaymentBatch, plan.Payments.Count)}/{plan.Payments.Count} submitted and processed");
        }

        progress("清算 clearing: the banks send 2301, PBOC matches and clears");
        foreach (var bank in network.Banks)
        {
            bank.BankDesk!.RequestClearing(date);
        }

        await SettleAndProcessAsync(date, cancellationToken).ConfigureAwait(false);

        progress("日报 daily reports: the banks send 2207 to Finance");
        foreach (var bank in network.Banks)
        {
            bank.BankDesk!.SendDailyReport(date, plan.InjectMismatch && bank.Party.Bank?.Value == "102" ? 1 : 0);
        }

        await SettleAndProcessAsync(date, cancellationToken).ConfigureAwait(false);
        progress("对账 reconciliation at Finance");
        return Summarize(plan, watch.ElapsedMilliseconds);
    }

    private Task SettleAndProcessAsync(DateOnly date, CancellationToken cancellationToken) =>
        network.SettleAndProcessAsync(date, cancellationToken);

    private DemoSummary Summarize(DemoPlan plan, long elapsedMs)
    {
        var master = network.Master;
        long paid = 0, rejected = 0, paidFen = 0;
        using (var connection = network.Finance.Library.Database.Connect())
        {
            var statuses = connection.Query<(long Status, long AmountFen)>(
                """
                SELECT d.status, v.amount_fen FROM vouchers v JOIN deliveries d ON d.voucher_id = v.id
                WHERE v.origin = 'own' AND v.vt_code = '8202' AND v.voucher_no LIKE @prefix || '%'
                """,
                new { prefix = plan.VoucherPrefix });
            foreach (var (status, amountFen) in statuses)
            {
                if (status == (long)VoucherStatus.SignedFor)
                {
                    paid++;
                    paidFen += amountFen;
                }
                else if (status == (long)VoucherStatus.Returned)
                {
                    rejected++;
                }
            }
        }

        long issuedFen = 0, quotaPaidFen = 0;
        foreach (var bank in network.Banks)
        {
            using var connection = bank.Library.Database.Connect();
            issuedFen += connection.ExecuteScalar<long>("SELECT COALESCE(SUM(issued_fen), 0) FROM bank_quotas");
            quotaPaidFen += connection.ExecuteScalar<long>("SELECT COALESCE(SUM(paid_fen), 0) FROM bank_quotas");
        }

        long clearedFen, clearings;
        using (var connection = network.Pboc.Library.Database.Connect())
        {
            clearedFen = connection.ExecuteScalar<long>("SELECT COALESCE(SUM(amount_fen), 0) FROM pboc_clearings");
            clearings = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM pboc_clearings");
        }

        var report = FinanceReconciliation.Reconcile(FinanceBooksReader.Read(network.Finance.Library, master));
        var byType = new SortedDictionary<string, int>(StringComparer.Ordinal);
        long verified = 0, failed = 0;
        var replies = 0;
        var audit = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        foreach (var node in network.Nodes.Values)
        {
            using var connection = node.Library.Database.Connect();
            foreach (var (vtCode, count) in connection.Query<(string VtCode, long Count)>(
                "SELECT vt_code, COUNT(*) FROM vouchers WHERE origin = 'own' AND flag = 0 GROUP BY vt_code"))
            {
                byType[vtCode] = byType.GetValueOrDefault(vtCode) + (int)count;
            }

            replies += connection.ExecuteScalar<int>("SELECT COUNT(*) FROM vouchers WHERE origin = 'own' AND flag = 1");
            verified += connection.ExecuteScalar<long>("SELECT COUNT(*) FROM inbox") + connection.ExecuteScalar<long>("SELECT COUNT(*) FROM applied_notices");
            failed += connection.ExecuteScalar<long>("SELECT COUNT(*) FROM rejected_messages WHERE code IN ('BadSignature', 'MissingStamp', 'ForeignStamp')");
            audit[node.Party.ToString()] = AuditLog.Verify(connection).Intact;
        }

        return new DemoSummary(
            network.Directory,
            new PaymentCounts(plan.Payments.Count, (int)paid, (int)rejected, new Amount(paidFen).ToWire()),
            new QuotaTotals(new Amount(issuedFen).ToWire(), new Amount(quotaPaidFen).ToWire(), new Amount(issuedFen - quotaPaidFen).ToWire()),
            new ClearingTotals(new Amount(clearedFen).ToWire(), (int)clearings),
            new ReconciliationOutcome(report.Balanced, report.Mismatches.Count, [.. report.Mismatches.Select(m => $"{m.Kind}: {m.Description}")]),
            new VoucherCounts(byType, replies),
            new SignatureCounts(verified, failed),
            audit,
            elapsedMs);
    }
}
