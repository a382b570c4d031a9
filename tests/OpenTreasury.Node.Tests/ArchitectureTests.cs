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
        ["OpenTreasury.Node"] = ["OpenTreasury.Domain", "OpenTreasury.Wire", "OpenTreasury.Trust", "BouncyCastle.Cryptography", "Microsoft.Data.Sqlite", "Npgsql", "Dapper", "OpenTreasury.Printing"],
        // Business and Simulation see the store only through the ADO.NET base types and Node/Storage's dialect.
        ["OpenTreasury.Business"] = ["OpenTreasury.Domain", "OpenTreasury.Wire", "OpenTreasury.Trust", "OpenTreasury.Node", "BouncyCastle.Cryptography", "Dapper"],
        ["OpenTreasury.Authority"] = ["OpenTreasury.Domain", "OpenTreasury.Trust", "BouncyCastle.Cryptography"],
        ["OpenTreasury.Simulation"] = ["OpenTreasury.Domain", "OpenTreasury.Wire", "OpenTreasury.Trust", "OpenTreasury.Authority", "OpenTreasury.Node", "OpenTreasury.Business", "BouncyCastle.Cryptography", "Dapper"],
        ["OpenTreasury.Transport.Http"] = ["OpenTreasury.Domain", "OpenTreasury.Trust", "OpenTreasury.Node", "BouncyCastle.Cryptography"],
        // The RabbitMQ transport reuses the HTTP transport's answer format and peers' certificates (ADR 0012).
        ["OpenTreasury.Transport.Rabbit"] = ["OpenTreasury.Domain", "OpenTreasury.Trust", "OpenTreasury.Node", "OpenTreasury.Transport.Http", "BouncyCastle.Cryptography", "RabbitMQ.Client"],
        ["OpenTreasury.Server"] = ["OpenTreasury.Domain", "OpenTreasury.Wire", "OpenTreasury.Trust", "OpenTreasury.Node", "OpenTreasury.Business", "OpenTreasury.Printing",
            "OpenTreasury.Authority", "OpenTreasury.Transport.Http",
            "BouncyCastle.Cryptography", "Dapper", "Microsoft.Data.Sqlite", "Scalar.AspNetCore", "Microsoft.AspNetCore.OpenApi", "Microsoft.OpenApi"],
        // The support control knows USBKeys, seals and the wire, never a library, a session or a node.
        ["OpenTreasury.Agent"] = ["OpenTreasury.Domain", "OpenTreasury.Wire", "OpenTreasury.Trust", "BouncyCastle.Cryptography"],
        ["OpenTreasury.Desk"] = ["OpenTreasury.Domain", "OpenTreasury.Node", "OpenTreasury.Business", "OpenTreasury.Printing", "OpenTreasury.Server", "OpenTreasury.Trust", "OpenTreasury.Wire",
            "BouncyCastle.Cryptography"],
    };

    /// <summary>
    /// The arrows between the namespaces of one project: each party's business (Finance, PBOC, a bank) stands
    /// alone, sharing only the statement checks; the node's own capabilities never reach into the business.
    /// </summary>
    private static readonly (string Project, string Namespace, string[] Forbidden)[] s_namespaceArrows =
    [
        ("OpenTreasury.Business", "Bank", ["OpenTreasury.Business.Pboc", "OpenTreasury.Business.Finance"]),
        ("OpenTreasury.Business", "Bank/Received", ["OpenTreasury.Business.Pboc", "OpenTreasury.Business.Finance"]),
        ("OpenTreasury.Business", "Pboc", ["OpenTreasury.Business.Bank", "OpenTreasury.Business.Finance"]),
        ("OpenTreasury.Business", "Pboc/Received", ["OpenTreasury.Business.Bank", "OpenTreasury.Business.Finance"]),
        ("OpenTreasury.Business", "Finance", ["OpenTreasury.Business.Bank", "OpenTreasury.Business.Pboc"]),
        ("OpenTreasury.Business", "Finance/Received", ["OpenTreasury.Business.Bank", "OpenTreasury.Business.Pboc"]),
        ("OpenTreasury.Business", "Statements", ["OpenTreasury.Business.Bank", "OpenTreasury.Business.Pboc", "OpenTreasury.Business.Finance"]),
        ("OpenTreasury.Node", "Audit", ["OpenTreasury.Node.Library", "OpenTreasury.Node.Messaging", "OpenTreasury.Node.People", "OpenTreasury.Node.Seals", "OpenTreasury.Node.Signing", "OpenTreasury.Node.Network"]),
        ("OpenTreasury.Node", "Storage", ["OpenTreasury.Node.Library", "OpenTreasury.Node.Messaging", "OpenTreasury.Node.People", "OpenTreasury.Node.Seals", "OpenTreasury.Node.Signing", "OpenTreasury.Node.Network"]),
    ];

    public static TheoryData<string, string> NamespaceArrows
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (project, folder, _) in s_namespaceArrows)
            {
                data.Add(project, folder);
            }

            return data;
        }
    }

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

    [Theory]
    [MemberData(nameof(NamespaceArrows))]
    public void A_namespace_uses_only_what_its_arrows_allow(string project, string folder)
    {
        var forbidden = s_namespaceArrows.Single(a => a.Project == project && a.Namespace == folder).Forbidden;
        var directory = Path.Combine(RepositoryRoot(), "src", project, folder);
        Assert.True(Directory.Exists(directory), $"{directory} is missing");
        var offences = SourceLines(directory)
            .Where(l => forbidden.Any(f => l.Text.Contains(f + ";", StringComparison.Ordinal) || l.Text.Contains(f + ".", StringComparison.Ordinal)))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(offences.Count == 0, string.Join(Environment.NewLine, offences));
    }

    [Fact]
    public void The_sample_division_is_named_only_in_the_simulation()
    {
        string[] production = ["OpenTreasury.Domain", "OpenTreasury.Wire", "OpenTreasury.Trust", "OpenTreasury.Node", "OpenTreasury.Business", "OpenTreasury.Printing"];
        var offences = production
            .SelectMany(p => SourceLines(Path.Combine(RepositoryRoot(), "src", p)))
            .Where(l => l.Text.Contains("芒市", StringComparison.Ordinal) && !l.Text.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(offences.Count == 0, string.Join(Environment.NewLine, offences));
    }

    [Fact]
    public void The_domain_does_no_io_reads_no_clock_and_makes_no_ids()
    {
        string[] forbidden = ["DateTime.Now", "DateTime.UtcNow", "DateTimeOffset.Now", "DateTimeOffset.UtcNow", "TimeProvider.System", "Guid.NewGuid", "new Random(", "Random.Shared",
            "File.", "Directory.", "Console.", "HttpClient", "Environment."];
        var domain = Path.Combine(RepositoryRoot(), "src", "OpenTreasury.Domain");
        var offences = SourceLines(domain)
            .Where(l => !l.Text.TrimStart().StartsWith("//", StringComparison.Ordinal) && forbidden.Any(word => l.Text.Contains(word, StringComparison.Ordinal)))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.True(offences.Count == 0, string.Join(Environment.NewLine, offences));
    }

    private static IEnumerable<(string File, int Line, string Text)> SourceLines(string directory) =>
        Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetFileName(f), Line: i + 1, Text: line)));

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
