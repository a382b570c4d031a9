using Dapper;
using Microsoft.Data.Sqlite;

namespace OpenTreasury.Node.Storage;

/// <summary>
/// One party node's SQLite file: WAL journal, FULL synchronous commits (a commit survives power
/// loss), foreign keys on. The schema is created on first open and versioned by user_version.
/// </summary>
public sealed class NodeDatabase
{
    // Raised whenever the schema changes; an older file is refused with a clear message (no migrations yet).
    private const int SchemaVersion = 4;

    private NodeDatabase(string path)
    {
        Path = path;
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    private string ConnectionString { get; }

    public static NodeDatabase Open(string path)
    {
        if (!File.Exists(path) && !OperatingSystem.IsWindows())
        {
            // The library is the party's own: created readable by its owner only (SQLite gives the -wal and -shm files the same mode).
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            using (File.Open(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            {
            }
        }

        var database = new NodeDatabase(path);
        using var connection = database.Connect();
        var version = connection.ExecuteScalar<long>("PRAGMA user_version");
        if (version == 0)
        {
            connection.Execute("PRAGMA journal_mode=WAL");
            using var tx = connection.BeginTransaction();
            connection.Execute(Schema.Sql, transaction: tx);
            connection.Execute($"PRAGMA user_version={SchemaVersion}", transaction: tx);
            tx.Commit();
        }
        else if (version != SchemaVersion)
        {
            throw new InvalidOperationException($"{path} has schema version {version}; this build expects {SchemaVersion}. There are no migrations yet: make the network anew (a new --data folder).");
        }

        return database;
    }

    /// <summary>A new open connection, configured for durable commits.</summary>
    public SqliteConnection Connect()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        connection.Execute("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;");
        return connection;
    }
}
