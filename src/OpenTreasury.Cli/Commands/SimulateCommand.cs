using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpenTreasury.Simulation.Deterministic;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>treasury simulate</c>: the deterministic simulation of the whole network under faults, every invariant checked
/// after every step. Exit 0: every invariant held; 1: one broke (one line with the seed, the step, the invariant and
/// the command that replays it, <c>SIM-1</c>); 2: wrong options (<c>SIM-2</c>).
/// </summary>
internal static class SimulateCommand
{
    private static readonly JsonSerializerOptions CamelCase = new(Common.Json) { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create()
    {
        var seed = new Option<long>("--seed") { Description = "Seed of the run: the same seed and steps replay exactly", DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "Steps to run (each one action: business, delivery, fault, crash or restart)", DefaultValueFactory = _ => 10_000 };
        var data = Common.DataOption(required: false);
        data.Description = "Folder for the simulated network (default: a new temporary folder, on /dev/shm when there is one, deleted afterwards)";
        var json = Common.JsonOption();
        var command = new Command("simulate", "Deterministic simulation of the network with drop, duplicate, reorder, delay, partition, crash and restart; every invariant checked after every step")
        {
            seed, steps, data, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var seedValue = result.GetValue(seed);
            var stepCount = result.GetValue(steps);
            if (seedValue < 0 || stepCount is < 0 or > SimulationOptions.StepsMax)
            {
                return Report.BadInput("SIM-2", $"--seed 不能为负，--steps 须在 0–{SimulationOptions.StepsMax}",
                    $"--seed must not be negative, --steps must be 0–{SimulationOptions.StepsMax}");
            }

            var given = result.GetValue(data)?.FullName;
            var folder = given ?? Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"opentreasury-sim-{Guid.NewGuid():N}"[..30]);
            var asJson = result.GetValue(json);
            SimulationResult outcome;
            try
            {
                outcome = await Simulator.RunAsync(
                    new SimulationOptions(seedValue, stepCount) { Directory = folder, Progress = asJson ? null : line => Console.WriteLine($"  · {line}") },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                return Report.BadInput("SIM-2", $"无法开始模拟：{ex.Message}", "cannot start the simulation");
            }
            finally
            {
                if (given is null && Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }

            if (asJson)
            {
                // Everything but elapsedMs is the same on a replay of the same seed and steps.
                Console.WriteLine(JsonSerializer.Serialize(new { outcome.Summary, outcome.Failure, Replay = outcome.Failure?.ReplayCommand, outcome.ElapsedMs }, CamelCase));
            }
            else if (outcome.Passed)
            {
                Print(outcome);
            }

            if (outcome.Failure is { } failure)
            {
                // With --json the object above carries the failure and its replay command.
                return asJson ? Exit.Refused : Report.Fail(new("SIM-1", Exit.Refused,
                    $"不变量被破坏：种子 {failure.Seed}，第 {failure.Step} 步，{failure.Invariant}：{failure.Detail} — 重放：{failure.ReplayCommand}",
                    $"invariant broken: seed {failure.Seed}, step {failure.Step}, {failure.Invariant}"));
            }

            return 0;
        });
        return command;
    }

    private static void Print(SimulationResult outcome)
    {
        var s = outcome.Summary;
        static string Counts(IReadOnlyDictionary<string, int> counts) => string.Join(", ", counts.Select(kv => $"{kv.Key}×{kv.Value}"));
        var rate = outcome.ElapsedMs == 0 ? 0 : s.Steps * 1000L / outcome.ElapsedMs;
        Console.WriteLine($"OpenTreasury simulate — seed {s.Seed}, {s.Steps} steps: 所有不变量成立 every invariant held");
        Console.WriteLine($"步骤 actions      {Counts(s.Actions)}");
        Console.WriteLine($"故障 faults       injected {Counts(s.Faults)}; struck {Counts(s.Struck)}; 崩溃 crashes {s.Crashes}, 重启 restarts {s.Restarts}");
        Console.WriteLine($"营业日 days       {s.DaysClosed} closed at quiescence ({s.Quiescences} quiescence check(s): delivered, cleared once, reconciled)");
        Console.WriteLine($"凭证 vouchers     {Counts(s.Vouchers)}");
        Console.WriteLine($"消息 messages     {s.MessagesHanded} handed to a receiver, {s.ParkedReleased} parked and released; {s.Refusals} business refusal(s)");
        Console.WriteLine($"不变量 invariants checked after all {s.StepsChecked} steps (with the setup): {s.InvariantChecks} checks of the nodes each step changed, {s.Quiescences} full at quiescence");
        Console.WriteLine($"耗时 elapsed      {outcome.ElapsedMs.ToString(CultureInfo.InvariantCulture)} ms ({rate} steps/s)");
    }
}
