using BenchmarkDotNet.Running;

namespace OpenTreasury.Benchmarks;

/// <summary>Runs the benchmarks named by <c>--filter</c>; see README.md.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
