using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace OpenTreasury.Node.Storage;

/// <summary>
/// One node's SQLite file: WAL journal, FULL synchronous commits (a commit survives power loss), foreign
/// keys on, a bounded wait for a busy file (<see cref="BusyTimeout"/>), writes in BEGIN IMMEDIATE transactions.
/// </summary>
public sealed class SqliteDialect : IStoreDialect
{
    /// <summary>Where an operator sets how long a writer waits for another's lock, in seconds (1–600; 30 when unset).</summary>
    public const string BusyTimeoutVariable = "OPENTREASURY_DB_BUSY_SECONDS";

    // https://www.sqlite.org/rescode.html
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    private readonly string _connectionString;

    public SqliteDialect(string path, bool readOnly = false)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            // Read-only: immutable, so SQLite needs no -shm or -wal file in a folder it cannot write.
            DataSource = readOnly ? new Uri(Path.GetFullPath(path)).AbsoluteUri + "?immutable=1" : path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();
    }

    /// <summary>How long a writer waits for another's lock before it gives up (then the caller names who holds it).</summary>
    public static TimeSpan BusyTimeout { get; } =
        int.TryParse(Environment.GetEnvironmentVariable(BusyTimeoutVariable), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 600
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromSeconds(30);

    public string Name => "SQLite";

    /// <summary>Closes every pooled SQLite connection of this process (so the WAL is checkpointed and the files may be copied or deleted).</summary>
    public static void ReleaseAll() => SqliteConnection.ClearAllPools();

    public DbConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            connection.Execute($"PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout={(int)BusyTimeout.TotalMilliseconds};");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public DbTransaction BeginWrite(DbConnection connection) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: false)
            : throw new ArgumentException($"a {connection?.GetType().Name ?? "null"} is not a SQLite connection", nameof(connection));

    public void PrepareNew(DbConnection connection) => connection.Execute("PRAGMA journal_mode=WAL");

    public long LegacySchemaVersion(DbConnection connection) => connection.ExecuteScalar<long>("PRAGMA user_version");

    public bool IsBusy(DbException exception) => exception is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked };

    public bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: SqliteConstraintUnique or SqliteConstraintPrimaryKey };
}
