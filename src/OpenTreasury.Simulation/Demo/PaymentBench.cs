using System.Diagnostics;
using Dapper;
using OpenTreasury.Domain.Vouchers;

namespace OpenTreasury.Simulation.Demo;

/// <summary>One flow's measurements: how many, how fast, and the latency percentiles in milliseconds.</summary>
public sealed record BenchFlow(string Name, int Count, double P50Ms, double P99Ms, double MaxMs);

/// <summary>What a bench run did: payments submitted, paid by the banks, returned by them, the time and every flow.</summary>
public sealed record BenchReport(int Payments, long Paid, long Returned, TimeSpan Elapsed, int Batch, IReadOnlyList<BenchFlow> Flows)
{
    public double PaymentsPerSecond => Payments / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>
/// <c>treasury bench</c>: authorized payments (授权支付) end to end on a network with the demo's plan — each 8202 entered,
/// approved and stamped by two people at Finance, sealed and delivered, verified and paid (or returned) by its bank
/// within the quota, its signing-for (签收) or return back at Finance and verified — with every commit durable. Payments go in batches
/// of <see cref="BatchDefault"/>: Finance submits a batch, then the network delivers and works until nothing moves. The
/// submit latency is each payment's own; the end-to-end latency runs from a payment's submit to the end of its batch's
/// settling, when its answer is back at Finance.
/// </summary>
public static class PaymentBench
{
    public const int BatchDefault = 50;

    public const int BatchMax = 1_000;

    public static async Task<BenchReport> RunAsync(TreasuryNetwork network, DemoPlan plan, int batch, Action<int> progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, BatchMax);
        var date = plan.DateOf(0);
        var finance = network.Finance.FinanceDesk!;

        // The day's set-up, not measured: the treasury account, the indicators and the month's quota at the banks.
        network.Pboc.PbocDesk!.OpenTreasuryAccount(DemoPlan.TreasuryOpening).ThrowIfRefused();
        finance.RegisterIndicators(DemoPlan.IndicatorReference, plan.Indicators).ThrowIfRefused();
        foreach (var issued in finance.IssueQuota(plan.Month, date, plan.Quota))
        {
            issued.ThrowIfRefused();
        }

        await network.SettleAndProcessAsync(date, cancellationToken).ConfigureAwait(false);

        var submit = new List<double>(plan.Payments.Count);
        var endToEnd = new List<double>(plan.Payments.Count);
        var settle = new List<double>();
        var ids = new List<long>(plan.Payments.Count);
        var started = new List<long>(batch);
        var watch = Stopwatch.StartNew();
        for (var first = 0; first < plan.Payments.Count; first += batch)
        {
            started.Clear();
            foreach (var order in plan.Payments.Skip(first).Take(batch))
            {
                var t0 = Stopwatch.GetTimestamp();
                ids.Add(finance.SubmitPayment(order, date).ThrowIfRefused().VoucherId);
                submit.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                started.Add(t0);
            }

            var settling = Stopwatch.GetTimestamp();
            await network.SettleAndProcessAsync(date, cancellationToken).ConfigureAwait(false);
            var done = Stopwatch.GetTimestamp();
            settle.Add(Stopwatch.GetElapsedTime(settling, done).TotalMilliseconds);
            endToEnd.AddRange(started.Select(t0 => Stopwatch.GetElapsedTime(t0, done).TotalMilliseconds));
            progress(Math.Min(first + batch, plan.Payments.Count));
        }

        watch.Stop();
        var (paid, returned) = Outcomes(network, ids, plan.VoucherPrefix);
        return new BenchReport(plan.Payments.Count, paid, returned, watch.Elapsed, batch,
        [
            Flow("8202 录入·审核·签章 submit (Finance, two people, four stamps)", submit),
            Flow($"8202 端到端 end to end (submit → paid or returned → answer at Finance, batches of {batch})", endToEnd),
            Flow($"批次交付与处理 settle one batch (deliver, verify, pay, answer)", settle),
        ]);
    }

    /// <summary>The nearest-rank percentile of <paramref name="sorted"/> (ascending), 0 for none.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double fraction)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(fraction * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static BenchFlow Flow(string name, List<double> samples)
    {
        samples.Sort();
        return new BenchFlow(name, samples.Count, Percentile(samples, 0.50), Percentile(samples, 0.99), samples.Count == 0 ? 0 : samples[^1]);
    }

    // How Finance's 8202s ended at their banks: signed for and paid (已签收), or returned (已退回); every one must be one of the two.
    private static (long Paid, long Returned) Outcomes(TreasuryNetwork network, List<long> ids, string prefix)
    {
        var statuses = ids.Select(id => network.Finance.Library.Deliveries(id).Single().Status).ToList();
        var paid = statuses.LongCount(s => s == VoucherStatus.SignedFor);
        var returned = statuses.LongCount(s => s == VoucherStatus.Returned);
        if (paid + returned != ids.Count)
        {
            var stuck = statuses.Where(s => s is not (VoucherStatus.SignedFor or VoucherStatus.Returned)).GroupBy(s => s).Select(g => $"{g.Key}×{g.Count()}");
            throw new InvalidOperationException($"{ids.Count - paid - returned} of {ids.Count} payments did not end paid or returned: {string.Join(", ", stuck)}");
        }

        // And the banks agree: each paid 8202 was paid there exactly once (its lines booked under one received voucher).
        var booked = 0L;
        foreach (var bank in network.Banks)
        {
            using var connection = bank.Library.Database.Connect();
            var (vouchers, numbers) = connection.QuerySingle<(long Vouchers, long Numbers)>(
                "SELECT COUNT(DISTINCT voucher_id) AS Vouchers, COUNT(DISTINCT voucher_no) AS Numbers FROM bank_payments WHERE voucher_no LIKE @prefix", new { prefix = prefix + "%" });
            if (vouchers != numbers)
            {
                throw new InvalidOperationException($"{bank.Party} booked {numbers} payment numbers under {vouchers} received vouchers: a number was paid twice");
            }

            booked += vouchers;
        }

        if (booked != paid)
        {
            throw new InvalidOperationException($"Finance holds {paid} 8202s signed for but the banks booked {booked} payments");
        }

        return (paid, returned);
    }
}
