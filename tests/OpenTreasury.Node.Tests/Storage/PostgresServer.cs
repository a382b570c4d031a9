using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dapper;
using Npgsql;
using OpenTreasury.Node.Storage;

namespace OpenTreasury.Node.Tests.Storage;

/// <summary>
/// The PostgreSQL server the tests run against: the one <see cref="ConnectionVariable"/> names, or else a private one
/// this test run starts itself (Debian's <c>postgresql</c> binaries, <c>initdb</c> in a temp folder, its own port on
/// 127.0.0.1, run as the <c>postgres</c> user when the tests run as root, since PostgreSQL refuses root) and stops at exit.
/// </summary>
internal sealed class PostgresServer
{
    /// <summary>Set to "postgres" to run the store-backed tests (TestNetwork) against PostgreSQL instead of SQLite.</summary>
    public const string StoreVariable = "OPENTREASURY_TEST_STORE";

    /// <summary>A connection string of a running server to use instead of starting one (a superuser, or a user who may create databases).</summary>
    public const string ConnectionVariable = "OPENTREASURY_TEST_PG";

    private static readonly Lazy<PostgresServer> s_shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    // A server busy copying template databases for parallel tests may take a while to accept a connection (Npgsql waits 15 s).
    private PostgresServer(string connectionString) => ConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 60 }.ConnectionString;

    /// <summary>True when this run's store-backed tests use PostgreSQL.</summary>
    public static bool Selected => string.Equals(Environment.GetEnvironmentVariable(StoreVariable), "postgres", StringComparison.OrdinalIgnoreCase);

    public static PostgresServer Shared => s_shared.Value;

    /// <summary>The server's maintenance database (<c>postgres</c>).</summary>
    public string ConnectionString { get; }

    /// <summary>Makes a new empty database (or a copy of <paramref name="template"/>); returns its connection string.</summary>
    public string CreateDatabase(string name, string? template = null)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        connection.Execute($"CREATE DATABASE {name} {(template is null ? string.Empty : "TEMPLATE " + template)} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
        return Database(name);
    }

    public string Database(string name) => new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;

    public void DropDatabase(string name)
    {
        PostgresDialect.ReleaseAll();
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        connection.Execute($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    /// <summary>A fresh database name, unique in this server.</summary>
    public static string NewName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 17, 63)];

    private static PostgresServer Start()
    {
        if (Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } given)
        {
            return new PostgresServer(given);
        }

        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException($"No PostgreSQL server here: install Debian's postgresql package (.ci/run does), or set {ConnectionVariable}.");
        }

        var folder = Path.Combine(Path.GetTempPath(), "ot-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var port = FreePort();
        Run(bin, "initdb", "-D", folder, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync");
        Run(bin, "pg_ctl", "-D", folder, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=300", "start");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Run(bin, "pg_ctl", "-D", folder, "-m", "immediate", "-w", "stop");
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Left in the temp folder; the next run uses a folder and a port of its own.
            }
        };
        return new PostgresServer($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Maximum Pool Size=50");
    }

    /// <summary>Runs one of the server's programs, as the postgres user when this process is root.</summary>
    private static void Run(string bin, string program, params string[] arguments)
    {
        var asRoot = Environment.UserName == "root";
        var start = new ProcessStartInfo(asRoot ? "runuser" : Path.Combine(bin, program)) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asRoot)
        {
            foreach (var arg in (string[])["-u", "postgres", "--", Path.Combine(bin, program)])
            {
                start.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {error} {output.Result}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
