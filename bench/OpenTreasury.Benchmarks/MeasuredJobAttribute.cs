using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace OpenTreasury.Benchmarks;

/// <summary>
/// A class's own measurement job, as <c>[SimpleJob]</c> makes it, unless the command line names a job: BenchmarkDotNet
/// runs the union of the two, so <c>--job Dry</c> (the CI's smoke run) would also run every measurement in full.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class MeasuredJobAttribute : Attribute, IConfigSource
{
    public MeasuredJobAttribute(int warmupCount, int iterationCount, int invocationCount = 0)
    {
        var job = Job.Default.WithLaunchCount(1).WithWarmupCount(warmupCount).WithIterationCount(iterationCount);
        job = invocationCount > 0 ? job.WithInvocationCount(invocationCount).WithUnrollFactor(1) : job;
        Config = Program.CommandLineNamesJob ? ManualConfig.CreateEmpty() : ManualConfig.CreateEmpty().AddJob(job);
    }

    public IConfig Config { get; }
}
