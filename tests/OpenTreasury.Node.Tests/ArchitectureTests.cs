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
    public void The_domain_does_no_io_and_reads_no_clock()
    {
        var forbidden = new[] { "System.IO.File", "System.IO.Directory", "System.DateTime", "System.Guid", "System.Random", "System.Net" };
        var domain = Assembly.Load("OpenTreasury.Domain");
        var members = domain.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType))
            .Select(t => t.FullName ?? string.Empty);
        Assert.DoesNotContain(members, name => forbidden.Any(f => name.StartsWith(f, StringComparison.Ordinal) && name != "System.DateTimeOffset"));
    }

    private static bool IsFramework(string name) =>
        name is "netstandard" or "mscorlib" || name.StartsWith("System", StringComparison.Ordinal) || name.StartsWith("Microsoft.", StringComparison.Ordinal) && name != "Microsoft.Data.Sqlite";
}
