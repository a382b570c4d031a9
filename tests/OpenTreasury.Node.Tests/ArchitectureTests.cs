using System.Reflection;

namespace OpenTreasury.Node.Tests;

/// <summary>The arrows between projects, as one table: each assembly may reference only what is listed.</summary>
public sealed class ArchitectureTests
{
    private static readonly Dictionary<string, string[]> s_allowed = new(StringComparer.Ordinal)
    {
        ["OpenTreasury.Domain"] = [],
        ["OpenTreasury.Wire"] = ["OpenTreasury.Domain"],
        ["OpenTreasury.Trust"] = ["OpenTreasury.Domain", "BouncyCastle.Cryptography"],
        ["OpenTreasury.Printing"] = ["OpenTreasury.Domain", "SkiaSharp", "DocumentFormat.OpenXml", "DocumentFormat.OpenXml.Framework"],
        ["OpenTreasury.Node"] = ["OpenTreasury.Domain", "OpenTreasury.Wire", "OpenTreasury.Trust", "BouncyCastle.Cryptography", "Microsoft.Data.Sqlite", "Dapper", "OpenTreasury.Printing"],
        ["OpenTreasury.Transport.Http"] = ["OpenTreasury.Domain", "OpenTreasury.Trust", "OpenTreasury.Node", "BouncyCastle.Cryptography"],
    };

    public static TheoryData<string> Assemblies => [.. s_allowed.Keys];

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void An_assembly_references_only_the_layers_below_it(string name)
    {
        var assembly = Assembly.Load(name);
        var references = assembly.GetReferencedAssemblies()
            .Select(r => r.Name!)
            .Where(r => !IsFramework(r))
            .ToList();
        var unexpected = references.Except(s_allowed[name], StringComparer.Ordinal).ToList();
        Assert.True(unexpected.Count == 0, $"{name} references {string.Join(", ", unexpected)}");
    }

    [Fact]
    public void The_domain_does_no_io_reads_no_clock_and_makes_no_ids()
    {
        string[] forbidden = ["DateTime.Now", "DateTime.UtcNow", "DateTimeOffset.Now", "DateTimeOffset.UtcNow", "TimeProvider.System", "Guid.NewGuid", "new Random(", "Random.Shared",
            "File.", "Directory.", "Console.", "HttpClient", "Environment."];
        var domain = Path.Combine(RepositoryRoot(), "src", "OpenTreasury.Domain");
        var offences = Directory.EnumerateFiles(domain, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetFileName(f), Line: i + 1, Text: line)))
            .Where(l => !l.Text.TrimStart().StartsWith("//", StringComparison.Ordinal) && forbidden.Any(word => l.Text.Contains(word, StringComparison.Ordinal)))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.True(offences.Count == 0, string.Join(Environment.NewLine, offences));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OpenTreasury.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("the repository root (OpenTreasury.slnx) is not above the test binaries");
    }

    private static bool IsFramework(string name) =>
        name is "netstandard" or "mscorlib" || name.StartsWith("System", StringComparison.Ordinal) || name.StartsWith("Microsoft.", StringComparison.Ordinal) && name != "Microsoft.Data.Sqlite";
}
