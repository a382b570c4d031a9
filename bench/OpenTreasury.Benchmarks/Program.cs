using BenchmarkDotNet.Running;

namespace OpenTreasury.Benchmarks;

/// <summary>Runs the benchmarks named by <c>--filter</c>; see README.md.</summary>
public static class Program
{
    /// <summary>True when the command line names a job (<c>--job Dry</c>, the CI's smoke run): it replaces the classes' own.</summary>
    public static bool CommandLineNamesJob { get; private set; }

    public static void Main(string[] args)
    {
        CommandLineNamesJob = args.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", StringComparison.Ordinal));
        _ = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
