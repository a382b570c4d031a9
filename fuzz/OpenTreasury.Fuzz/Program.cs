using OpenTreasury.Fuzz;

using SharpFuzz;

// The fuzzing harness; fuzz/run drives it under afl-fuzz (see fuzz/README.md).
//   OpenTreasury.Fuzz <target>                      afl-fuzz's persistent fork server for one target (input on stdin)
//   OpenTreasury.Fuzz --replay <target> <path>...   runs files (or every file in folders) through a target, no fuzzer
//   OpenTreasury.Fuzz --make-corpus <folder>        writes the seed corpus, <folder>/<target>/<sample>
//   OpenTreasury.Fuzz --instrument <dll>...         adds AFL's edge coverage to assemblies, in place
//   OpenTreasury.Fuzz --list                        the targets' names
if (args.Length == 0)
{
    return Usage();
}

// Instrumented code records every branch in AFL's shared memory, which Fuzzer.Run maps only when it starts;
// until then (the world is made before it, replays run without it) the branches go to a scratch map.
Program.UseScratchCoverageMap();

switch (args[0])
{
    case "--list":
        Console.WriteLine(string.Join('\n', FuzzTargets.All.Keys));
        return 0;
    case "--make-corpus" when args.Length == 2:
        foreach (var (name, samples) in FuzzWorld.Instance.Corpus())
        {
            var folder = Directory.CreateDirectory(Path.Combine(args[1], name)).FullName;
            foreach (var (sample, bytes) in samples)
            {
                File.WriteAllBytes(Path.Combine(folder, sample), bytes);
            }
        }

        return 0;
    case "--instrument" when args.Length >= 2:
        foreach (var path in args[1..])
        {
            // BouncyCastle is large: only its parsers (ASN.1, X.509, CMS, TSP, PEM) get coverage, not its arithmetic.
            var isBouncyCastle = Path.GetFileName(path).StartsWith("BouncyCastle", StringComparison.Ordinal);
            Fuzzer.Instrument(path, type => !isBouncyCastle || s_bouncyCastleParsers.Any(p => type.StartsWith(p, StringComparison.Ordinal)), Options.Value);
            Console.WriteLine($"instrumented {path}");
        }

        return 0;
    case "--replay" when args.Length >= 3 && FuzzTargets.All.TryGetValue(args[1], out var replayed):
        var failed = 0;
        foreach (var file in args[2..].SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]))
        {
            try
            {
                replayed(File.ReadAllBytes(file));
                Console.WriteLine($"ok    {file}");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failed++;
                Console.WriteLine($"CRASH {file}: {e}");
            }
        }

        return failed == 0 ? 0 : 1;
    default:
        if (args.Length == 1 && FuzzTargets.All.TryGetValue(args[0], out var target))
        {
            // The world is made, and the target's path compiled on one of the world's samples, before the first input:
            // neither is timed by AFL (a loaded machine must not turn the first input's JIT into a hang) or traced as one.
            target(FuzzWorld.Instance.Corpus()[args[0]][0].Bytes);
            Fuzzer.Run(stream =>
            {
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                target(buffer.ToArray());
            });
            return 0;
        }

        return Usage();
}

static int Usage()
{
    Console.Error.WriteLine($"usage: OpenTreasury.Fuzz <target> | --replay <target> <path>... | --make-corpus <folder> | --instrument <dll>... | --list\ntargets: {string.Join(", ", FuzzTargets.All.Keys)}");
    return 2;
}

internal static partial class Program
{
    /// <summary>The size of AFL's coverage map, as SharpFuzz uses it.</summary>
    private const int CoverageMapBytes = 1 << 16;

    internal static unsafe void UseScratchCoverageMap() =>
        SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(CoverageMapBytes);

    private static readonly string[] s_bouncyCastleParsers =
        ["Org.BouncyCastle.Asn1", "Org.BouncyCastle.X509", "Org.BouncyCastle.Cms", "Org.BouncyCastle.Tsp", "Org.BouncyCastle.Utilities.IO.Pem"];
}
