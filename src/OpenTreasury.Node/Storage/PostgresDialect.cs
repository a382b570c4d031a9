using System.Data;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace OpenTreasury.Node.Storage;

/// <summary>
/// One node's store in a PostgreSQL database, in a schema of its own (<see cref="PostgresStore.Schema"/>): durable
/// commits (<c>synchronous_commit=on</c>), text compared byte by byte (<c>COLLATE "C"</c> on every text column, as
/// SQLite does), and writers of one node taking that node's transaction-scoped advisory lock first, so they queue in
/// the database as SQLite's <c>BEGIN IMMEDIATE</c> makes them queue — across every process and machine that serves the
/// node, with no lock held by a process (docs/decisions/0011).
/// </summary>
public sealed class PostgresDialect : IStoreDialect
{
    // https://www.postgresql.org/docs/current/errcodes-appendix.html
    private const string SerializationFailure = "40001";
    private const string DeadlockDetected = "40P01";
    private const string LockNotAvailable = "55P03";
    private const string QueryCanceled = "57014";
    private const string UniqueViolation = "23505";

    private readonly NpgsqlDataSource _source;
    private readonly long _writeLock;

    public PostgresDialect(PostgresStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        var builder = new NpgsqlConnectionStringBuilder(store.ConnectionString)
        {
            SearchPath = store.Schema,
            // A writer waits this long for another's lock, as SQLite's busy timeout; then the caller names who holds it.
            Options = $"-c synchronous_commit=on -c lock_timeout={(int)SqliteDialect.BusyTimeout.TotalMilliseconds}",
        };
        if (!store.ConnectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
        {
            // A busy server gets as long to accept a connection as a writer waits for a lock (Npgsql's default is 15 s).
            builder.Timeout = (int)SqliteDialect.BusyTimeout.TotalSeconds;
        }

        _source = Sources.GetOrAdd(builder.ConnectionString, cs => NpgsqlDataSource.Create(cs));
        _writeLock = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("opentreasury-node-writer:" + store.Schema)), 0);
    }

    public PostgresStore Store { get; }

    public string Name => "PostgreSQL";

    private static System.Collections.Concurrent.ConcurrentDictionary<string, NpgsqlDataSource> Sources { get; } = new();

    /// <summary>Closes every pooled PostgreSQL connection of this process (before a database is copied or dropped).</summary>
    public static void ReleaseAll()
    {
        foreach (var source in Sources.Values)
        {
            source.Clear();
        }

        NpgsqlConnection.ClearAllPools();
    }

    public DbConnection Open()
    {
        var connection = _source.CreateConnection();
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public DbTransaction BeginWrite(DbConnection connection)
    {
        if (connection is not NpgsqlConnection postgres)
        {
            throw new ArgumentException($"a {connection?.GetType().Name ?? "null"} is not a PostgreSQL connection", nameof(connection));
        }

        var tx = postgres.BeginTransaction(IsolationLevel.ReadCommitted);
        try
        {
            // One writer of this node at a time, as in SQLite: every read after this sees every commit before it.
            postgres.Execute("SELECT pg_advisory_xact_lock(@key)", new { key = _writeLock }, tx);
            return tx;
        }
        catch
        {
            tx.Dispose();
            throw;
        }
    }

    public void PrepareNew(DbConnection connection)
    {
    }

    public long LegacySchemaVersion(DbConnection connection) => 0;

    public bool IsBusy(DbException exception) =>
        exception is PostgresException { SqlState: SerializationFailure or DeadlockDetected or LockNotAvailable or QueryCanceled }
        || exception is NpgsqlException { IsTransient: true };

    public bool IsUniqueViolation(DbException exception) => exception is PostgresException { SqlState: UniqueViolation };

    /// <summary>Makes the node's schema when it is not there (before its first migration).</summary>
    public void EnsureSchema()
    {
        using var connection = Open();
        connection.Execute($"CREATE SCHEMA IF NOT EXISTS {Quote(Store.Schema)}");
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
