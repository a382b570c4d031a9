using System.CommandLine;
using System.Globalization;
using OpenTreasury.Simulation;
using OpenTreasury.Simulation.Demo;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>treasury bench --payments N</c>: authorized payments end to end on a fresh network (SQLite files or PostgreSQL
/// schemas, every commit durable), with a progress bar on standard error, then payments/s and p50/p99 per flow.
/// The network is made (not measured) in a temporary folder and deleted afterwards, unless <c>--data</c> keeps it.
/// </summary>
internal static class BenchCommand
{
    private const int BarWidth = 30;

    public static Command Create()
    {
        var payments = new Option<int>("--payments") { Description = $"How many 8202s (1–{DemoPlan.PaymentsMax})", Required = true };
        var batch = new Option<int>("--batch") { Description = $"Payments Finance submits before the network settles (1–{PaymentBench.BatchMax})", DefaultValueFactory = _ => PaymentBench.BatchDefault };
        var seed = new Option<int>("--seed") { Description = "The demo plan's seed (amounts, units, payees)", DefaultValueFactory = _ => 1 };
        var data = new Option<DirectoryInfo?>("--data") { Description = "Make the network in this new folder and keep it (default: a temporary folder, deleted afterwards)" };
        var json = Common.JsonOption();
        var command = new Command("bench", "Measure authorized payments end to end (8202 entered, approved, stamped, delivered, verified, paid or returned, signed for at Finance): payments/s and p50/p99 latency per flow")
        {
            payments, batch, seed, data, json,
        };
        var stores = new StoreOptions();
        stores.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var count = result.GetValue(payments);
            var size = result.GetValue(batch);
            if (count is < 1 or > DemoPlan.PaymentsMax || size is < 1 or > PaymentBench.BatchMax)
            {
                return Report.BadInput("BENCH-1", $"--payments 取 1–{DemoPlan.PaymentsMax}，--batch 取 1–{PaymentBench.BatchMax}", "--payments or --batch is out of range");
            }

            if (!stores.TryRead(result, out var postgres, out var storeFailure))
            {
                return storeFailure;
            }

            var kept = result.GetValue(data);
            if (kept is not null && (kept.Exists && kept.EnumerateFileSystemInfos().Any()))
            {
                return Report.BadInput("BENCH-2", $"{kept.FullName} 不是空目录；压测需要一个新的网络", $"{kept.FullName} is not empty");
            }

            var folder = kept?.FullName ?? Path.Combine(Path.GetTempPath(), "ot-bench-" + Path.GetRandomFileName());
            try
            {
                Console.Error.WriteLine($"建立压测网络 making the network in {folder}{(postgres is null ? string.Empty : " (PostgreSQL)")} …");
                TreasuryNetwork.Create(folder, SampleMasterData.Mangshi(2026), TimeProvider.System, demo: true, TreasuryNetwork.DemoPassphrase, postgres: postgres);
                using var network = TreasuryNetwork.Open(folder, TimeProvider.System, TreasuryNetwork.DemoPins);
                var plan = DemoPlan.Create(network.Master, result.GetValue(seed), count);
                var bar = new ProgressBar(count);
                var report = await PaymentBench.RunAsync(network, plan, size, bar.Show, cancellationToken).ConfigureAwait(false);
                ProgressBar.Done();
                Print(report, postgres is null ? "sqlite" : "postgres", result.GetValue(json));
                return Exit.Ok;
            }
            finally
            {
                if (kept is null)
                {
                    Clean(folder);
                }
            }
        });
        return command;
    }

    private static void Print(BenchReport report, string store, bool json)
    {
        if (json)
        {
            Common.WriteJson(new
            {
                payments = report.Payments,
                paid = report.Paid,
                returned = report.Returned,
                store,
                batch = report.Batch,
                seconds = Math.Round(report.Elapsed.TotalSeconds, 3),
                paymentsPerSecond = Math.Round(report.PaymentsPerSecond, 1),
                flows = report.Flows.Select(f => new { name = f.Name, count = f.Count, p50Ms = Math.Round(f.P50Ms, 2), p99Ms = Math.Round(f.P99Ms, 2), maxMs = Math.Round(f.MaxMs, 2) }),
            });
            return;
        }

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"授权支付 {report.Payments} 笔（已付 {report.Paid}，退回 {report.Returned}），{report.Elapsed.TotalSeconds:F1} s，{report.PaymentsPerSecond:F1} 笔/秒 payments/s（{store}，每批 {report.Batch} 笔，持久提交）"));
        foreach (var flow in report.Flows)
        {
            Console.WriteLine(string.Create(c, $"  {flow.Name}: n={flow.Count}  p50 {flow.P50Ms:F1} ms  p99 {flow.P99Ms:F1} ms  max {flow.MaxMs:F1} ms"));
        }
    }

    // The temporary network goes with its run: its folder, and on PostgreSQL a schema per node. A failure here is
    // reported on its own line and never hides the run's own outcome.
    private static void Clean(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        try
        {
            Node.Storage.NodeDatabase.ReleaseAll();
            foreach (var node in Directory.EnumerateDirectories(folder))
            {
                Node.Storage.PostgresStore.Read(node)?.DropSchema();
            }

            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            Console.Error.WriteLine($"注意：压测网络 {folder} 未能完全清除：{ex.Message}");
        }
    }

    /// <summary>[#####.....] n/N on standard error, redrawn in place on a terminal; a line per tenth when redirected.</summary>
    private sealed class ProgressBar(int total)
    {
        private readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();
        private int _tenth = -1;

        public void Show(int done)
        {
            var rate = done / Math.Max(_watch.Elapsed.TotalSeconds, 1e-9);
            var filled = (int)((long)done * BarWidth / total);
            var line = string.Create(CultureInfo.InvariantCulture, $"[{new string('#', filled)}{new string('.', BarWidth - filled)}] {done}/{total}  {rate:F0}/s");
            if (!Console.IsErrorRedirected)
            {
                Console.Error.Write("\r" + line);
                return;
            }

            var tenth = (int)((long)done * 10 / total);
            if (tenth != _tenth)
            {
                _tenth = tenth;
                Console.Error.WriteLine(line);
            }
        }

        public static void Done()
        {
            if (!Console.IsErrorRedirected)
            {
                Console.Error.WriteLine();
            }
        }
    }
}
