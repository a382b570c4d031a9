using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace OpenTreasury.Node.Tests.Cli;

/// <summary>
/// <c>treasury demo --processes</c>: the authority and each node in its own OS process over HTTP print the same summary
/// as the one-process demo; a node killed with SIGKILL mid-run ends the run, and the same command then finishes the plan.
/// </summary>
public sealed class ProcessesTests : IDisposable
{
    private const string Payments = "60";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ot-processes-" + Path.GetRandomFileName());

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task A_run_over_processes_with_a_node_killed_and_rerun_matches_the_run_in_one_process()
    {
        var inProcess = await Cli.RunAsync("demo", "--data", Path.Combine(_root, "one"), "--payments", Payments, "--seed", "5", "--json");
        Assert.True(inProcess.ExitCode == 0, inProcess.Stderr);

        var folder = Path.Combine(_root, "many");
        string[] args = ["demo", "--data", folder, "--payments", Payments, "--seed", "5", "--json", "--processes"];
        var killed = await RunAndKillAsync(args, "授权支付 payments: 50/", $"{folder}{Path.DirectorySeparatorChar}bank-102");
        Assert.Equal(3, killed.ExitCode);
        Assert.Contains("\"code\": \"DEMO-3\"", killed.Stdout, StringComparison.Ordinal); // with --json the failure is the JSON object
        Assert.DoesNotContain("   at ", killed.Stderr, StringComparison.Ordinal);
        Assert.Empty(NodeProcessesOf(folder));

        var rerun = await Cli.RunAsync(args);
        Assert.True(rerun.ExitCode == 0, rerun.Stderr);
        Assert.Equal(Comparable(inProcess.Stdout), Comparable(rerun.Stdout));
        Assert.Empty(NodeProcessesOf(folder));
    }

    /// <summary>The summary without what differs by nature between two runs: the folder and the time taken.</summary>
    private static string Comparable(string json)
    {
        var summary = JsonNode.Parse(json)!.AsObject();
        summary.Remove("network");
        summary.Remove("elapsedMs");
        return summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Starts the command, and once <paramref name="after"/> appears on its standard error SIGKILLs the node serving <paramref name="nodeFolder"/>.</summary>
    private static async Task<CliResult> RunAndKillAsync(string[] args, string after, string nodeFolder)
    {
        using var process = Cli.Start(args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = new System.Text.StringBuilder();
        var killed = false;
        while (await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            stderr.AppendLine(line);
            if (!killed && line.Contains(after, StringComparison.Ordinal))
            {
                var node = Assert.Single(NodeProcessesOf(nodeFolder));
                Process.GetProcessById(node).Kill(); // SIGKILL on Unix
                killed = true;
            }
        }

        await process.WaitForExitAsync(timeout.Token);
        Assert.True(killed, stderr.ToString());
        return new CliResult(process.ExitCode, await stdout, stderr.ToString());
    }

    /// <summary>The processes whose command line serves a node under <paramref name="folder"/> (from /proc).</summary>
    private static List<int> NodeProcessesOf(string folder) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(d => (Pid: int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0, Dir: d))
            .Where(p => p.Pid > 0)
            .Where(p =>
            {
                try
                {
                    var arguments = File.ReadAllText(Path.Combine(p.Dir, "cmdline")).Split('\0');
                    var at = Array.IndexOf(arguments, "--node");
                    return at >= 0 && at + 1 < arguments.Length && arguments[at + 1].StartsWith(folder, StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false;
                }
                catch (UnauthorizedAccessException)
                {
                    return false;
                }
            })
            .Select(p => p.Pid)];
}
