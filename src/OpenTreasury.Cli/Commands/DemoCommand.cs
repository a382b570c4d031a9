using System.CommandLine;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.Storage;
using OpenTreasury.Simulation;
using OpenTreasury.Simulation.Demo;

namespace OpenTreasury.Cli.Commands;

/// <summary><c>treasury demo</c>: builds (or reopens) a network and runs a day of authorized payments end to end.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var data = Common.DataOption(required: false);
        data.Description = "Folder for the network (a new temporary folder when omitted); rerun on the same folder to resume";
        var payments = new Option<int>("--payments") { Description = "How many payment vouchers (8202) the budget units submit", DefaultValueFactory = _ => 200 };
        var seed = new Option<int>("--seed") { Description = "Seed of the deterministic plan (amounts, units, payees)", DefaultValueFactory = _ => 1 };
        var json = Common.JsonOption();
        var days = new Option<int>("--days") { Description = $"Business days to spread the plan over (1–{DemoPlan.DaysMax}); each day clears, reports and reconciles", DefaultValueFactory = _ => 1 };
        var inject = new Option<bool>("--inject-mismatch") { Description = "Bank 102 books one daily-report line a fen too high; reconciliation must find and name it" };
        var divisions = new Option<int>("--divisions")
        {
            Description = $"Divisions the one Finance, PBOC and bank nodes serve (1–{SampleMasterData.DivisionsMax}): 芒市 533103, then 瑞丽市 533102, 德宏州本级 533100, 陇川县 533124; each numbers, reports and reconciles on its own",
            DefaultValueFactory = _ => 1,
        };
        var processes = new Option<bool>("--processes") { Description = "Run the authority and each node in its own OS process on 127.0.0.1, the nodes talking over HTTP (SM2-signed, SM4-encrypted)" };
        var stores = new StoreOptions();
        var transports = new TransportOptions();
        var command = new Command("demo", "Run a day of the 芒市 network (with --divisions, of 德宏州's divisions on the same nodes): quota (5105/5106), authorized payments (8202), direct payments (5201/5108), allocations (5207, a return and reissue, a 3208 refund), clearing (2301), daily reports (2207/2206/2209), reconciliation. "
            + "With --processes --transport rabbitmq --amqp URI the node processes talk through the broker. " + TransportOptions.ExitCodesHelp)
        {
            data, payments, seed, days, divisions, json, inject, processes,
        };
        stores.AddTo(command);
        transports.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var count = result.GetValue(payments);
            var seedValue = result.GetValue(seed);
            var dayCount = result.GetValue(days);
            var divisionCount = result.GetValue(divisions);
            if (count is < 0 or > DemoPlan.PaymentsMax || seedValue < 0 || dayCount is < 1 or > DemoPlan.DaysMax || divisionCount is < 1 or > SampleMasterData.DivisionsMax)
            {
                return Report.BadInput("DEMO-1", $"--payments 应为 0–{DemoPlan.PaymentsMax}，--seed 不能为负，--days 应为 1–{DemoPlan.DaysMax}，--divisions 应为 1–{SampleMasterData.DivisionsMax}",
                    $"--payments must be 0–{DemoPlan.PaymentsMax}, --seed must not be negative, --days must be 1–{DemoPlan.DaysMax}, --divisions must be 1–{SampleMasterData.DivisionsMax}");
            }

            MasterData Sample() => SampleMasterData.Dehong(2026, divisionCount);

            if (!stores.TryRead(result, out var postgres, out var storeFailure))
            {
                return storeFailure;
            }

            if (result.GetValue(transports.Transport) != "http" && !result.GetValue(processes))
            {
                return TransportOptions.BadOptions("--transport rabbitmq 须与 --processes 一起使用（每个节点一个进程）", "--transport rabbitmq goes with --processes");
            }

            if (!transports.TryRead(result, out var amqp, out var transportFailure))
            {
                return transportFailure;
            }

            var folder = result.GetValue(data)?.FullName ?? Path.Combine(Path.GetTempPath(), $"opentreasury-{Guid.NewGuid():N}"[..25]);
            var asJson = result.GetValue(json);
            var progress = asJson ? (Action<string>)(line => Console.Error.WriteLine(line)) : line => Console.WriteLine($"  · {line}");
            if (!asJson)
            {
                Console.WriteLine(divisionCount == 1 ? $"OpenTreasury demo — 芒市 (533103) network in {folder}" : $"OpenTreasury demo — 德宏州 network of {divisionCount} divisions in {folder}");
                Console.WriteLine($"  (a demo network: its keys are encrypted under the demo passphrase {TreasuryNetwork.DemoPassphrase}; USBKey PIN {MasterData.DemoPinOfEveryToken})");
            }

            // One demo at a time on a folder: a second one, started while the first makes or runs the network, is told so
            // (the first one's lock is released when it ends, however it ends).
            Directory.CreateDirectory(folder);
            FileStream demoLock;
            try
            {
                demoLock = new FileStream(Path.Combine(folder, DemoLockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                return Report.Fail(new("DEMO-BUSY", Exit.Environment, $"另一个 treasury demo 正在使用 {folder}；请等它结束后再运行（同一命令会继续未完成的计划）",
                    $"another treasury demo is using {folder}"));
            }

            using var held = demoLock;
            DemoSummary summary;
            DemoPlan plan;
            if (result.GetValue(processes))
            {
                // The folder is made (or checked) here; then this process only drives and reads, the nodes do the work.
                TreasuryNetwork.OpenOrCreate(folder, Sample, TimeProvider.System, postgres: postgres).Dispose();
                NodeDatabase.ReleaseAll();
                using var network = TreasuryNetwork.Open(folder, TimeProvider.System);
                if (OtherDivisions(network, divisionCount, folder) is { } other)
                {
                    return other;
                }
                plan = DemoPlan.Create(network.Master, seedValue, count) with { InjectMismatch = result.GetValue(inject), Days = dayCount };
                using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
                try
                {
                    using var running = await DemoProcesses.StartAsync(folder, [.. network.Nodes.Keys], progress, http, cancellationToken, amqp).ConfigureAwait(false);
                    IDemoParties parties = amqp is null ? running.Parties : new PatientDemoParties(running.Parties, network, progress);
                    summary = await new DemoRunner(network, parties, progress).RunAsync(plan, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is DemoNodeUnreachableException or InvalidOperationException or IOException or TaskCanceledException)
                {
                    return Report.Fail(new("DEMO-3", Exit.Environment, $"{ex.Message} — 再次运行同一命令即可完成计划", "a node did not answer; rerun the same command to finish the plan"));
                }
            }
            else
            {
                using var network = TreasuryNetwork.OpenOrCreate(folder, Sample, TimeProvider.System, TreasuryNetwork.DemoPins, postgres);
                if (OtherDivisions(network, divisionCount, folder) is { } other)
                {
                    return other;
                }
                plan = DemoPlan.Create(network.Master, seedValue, count) with { InjectMismatch = result.GetValue(inject), Days = dayCount };
                summary = await new DemoRunner(network, progress).RunAsync(plan, cancellationToken).ConfigureAwait(false);
            }

            if (asJson)
            {
                Common.WriteJson(summary);
            }
            else
            {
                Print(summary);
            }

            // With --inject-mismatch the run succeeds when reconciliation catches the misbooking.
            var expected = plan.InjectMismatch ? !summary.Reconciliation.Balanced : summary.Reconciliation.Balanced;
            return expected && summary.Signatures.Failed == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>A network made before with another number of divisions is not changed under its data: the rerun is refused.</summary>
    private static int? OtherDivisions(TreasuryNetwork network, int divisions, string folder) =>
        network.Master.Divisions.Count == divisions
            ? null
            : Report.BadInput("DEMO-4", $"{folder} 中的网络有 {network.Master.Divisions.Count} 个行政区划，不是 --divisions {divisions}；请用新的文件夹或相同的 --divisions",
                $"the network in {folder} serves {network.Master.Divisions.Count} division(s), not {divisions}");

    /// <summary>Held by the demo that uses a folder, so two never make or run one network at once.</summary>
    private const string DemoLockFile = ".demo.lock";

    private static void Print(DemoSummary s)
    {
        Console.WriteLine();
        Console.WriteLine($"支付 payments     requested {s.Payments.Requested}, paid {s.Payments.Paid} ({s.Payments.PaidAmount}), returned {s.Payments.Rejected}");
        if (s.Indicators is { } i)
        {
            Console.WriteLine($"指标 indicators   {i.Lines} lines: indicator {i.Indicator}, planned as quota {i.Planned}, paid {i.Paid}, left {i.Left}");
        }

        Console.WriteLine($"额度 quota        issued {s.Quota.Issued}, paid {s.Quota.Paid}, remaining {s.Quota.Remaining}");
        if (s.Flows is { } flows)
        {
            Console.WriteLine($"直接支付 direct   {flows.Direct.Requested} vouchers, {flows.Direct.Receipts} 回单, paid {flows.Direct.PaidAmount}, {flows.Direct.FailedLines} line(s) failed at the bank");
            Console.WriteLine($"退款 refunds      {flows.Refunds} payment(s) partly sent back (2302; 2204/2208 or 2203 to Finance)");
            if (flows.Statements is { } statements)
            {
                Console.WriteLine($"凭证对账 statements {statements.Checked} checked (3501/3502/4004/4005), {statements.Balanced} balanced, {statements.Mismatches} mismatch(es)");
            }

            if (flows.ClearingAnswers.Count > 0)
            {
                Console.WriteLine($"清算信息对账 3507   {string.Join(", ", flows.ClearingAnswers.Select(a => $"{a.Party} {a.VtCode} {(a.XCheckResult == 0 ? "相符" : $"不符 {a.XDiffNum}")}"))}");
            }

            if (flows.Ledgers is { } ledgers)
            {
                Console.WriteLine($"账务 journal      trial balance {(ledgers.FinanceTrialBalanced ? "balanced 平衡" : "NOT balanced")}: {string.Join(", ", ledgers.Finance.Select(kv => $"{kv.Key} {kv.Value}"))}");
            }

            Console.WriteLine($"实拨 allocation   {flows.Allocation.Issued} issued, {flows.Allocation.Paid} paid ({flows.Allocation.PaidAmount}), {flows.Allocation.Returned} returned and {flows.Allocation.Reissued} reissued, refunded {flows.Allocation.Refunded}; treasury {flows.Allocation.TreasuryBalance}");
        }

        Console.WriteLine($"清算 clearing     cleared {s.Clearing.Cleared} in {s.Clearing.Requests} transfer request(s)");
        if (s.TreasuryAccount is { } t)
        {
            Console.WriteLine($"国库 treasury     opening {t.Opening} − cleared {t.Cleared} − allocated {t.Allocated} + refunded {t.Refunded} = closing {t.Closing} {(t.Balanced ? "相符" : "NOT balanced 不符")}");
        }
        Console.WriteLine($"对账 reconcile    {(s.Reconciliation.Balanced ? "balanced 平衡" : "NOT balanced 不平")} — {s.Reconciliation.Mismatches} mismatch(es)");
        foreach (var d in s.Divisions ?? [])
        {
            Console.WriteLine($"  {d.AdmDivCode} {d.Name}: paid {d.Paid} ({d.PaidAmount}), {(d.Balanced ? "balanced 平衡" : "NOT balanced 不平")} — {d.Mismatches} mismatch(es); treasury {d.TreasuryClosing} {(d.TreasuryBalanced ? "相符" : "NOT balanced 不符")}; journal {(d.JournalBalanced ? "平衡" : "NOT balanced 不平衡")}, 支出 {d.Expenditure}");
        }

        foreach (var detail in s.Reconciliation.Details)
        {
            Console.WriteLine($"                 {detail}");
        }

        Console.WriteLine($"凭证 vouchers     {string.Join(", ", s.Vouchers.ByType.Select(kv => $"{kv.Key}×{kv.Value}"))}; 回单 {s.Vouchers.Replies}");
        Console.WriteLine($"签名 signatures   verified {s.Signatures.Verified}, failed {s.Signatures.Failed}");
        Console.WriteLine($"审计 audit        {string.Join(", ", s.AuditIntact.Select(kv => $"{kv.Key} {(kv.Value ? "intact" : "BROKEN")}"))}");
        Console.WriteLine($"耗时 elapsed      {s.ElapsedMs} ms");
        Console.WriteLine();
        Console.WriteLine($"Look inside: treasury voucher list --data {s.Network} --party finance");
    }
}
