using System.Data.Common;
using System.Globalization;
using Dapper;

namespace OpenTreasury.Node.Storage;

/// <summary>One numbered schema change: <c>Storage/Migrations/NNNN_name.sql</c>.</summary>
public sealed record Migration(int Number, string Name, string Sql);

/// <summary>
/// Brings a store's schema up to this build: applies, in order, each known migration not yet recorded in
/// <c>schema_migrations</c>, each in its own transaction together with its row. A store whose recorded
/// migrations are not a prefix of the known ones was made by a newer (or another) build and is refused.
/// </summary>
public static class Migrations
{
    // The user_version of the one-script schema this build's predecessor wrote; identical to migration 0001.
    private const long LegacySchemaVersion = 4;

    private const string ResourcePrefix = "OpenTreasury.Node.Storage.Migrations.";

    /// <summary>The migrations built into this assembly for SQLite, by number.</summary>
    public static IReadOnlyList<Migration> Known { get; } = Load(ResourcePrefix);

    /// <summary>The same numbered steps for PostgreSQL (<c>Storage/Migrations/Postgres/</c>): the same numbers and names, the same tables, checks and triggers.</summary>
    public static IReadOnlyList<Migration> KnownPostgres { get; } = Load(ResourcePrefix + "Postgres.");

    /// <summary>
    /// What a migration does besides its SQL, in the same transaction, by migration name (the same for both engines):
    /// 0011 indexes the vouchers stored before it.
    /// </summary>
    private static readonly Dictionary<string, Action<DbConnection, DbTransaction>> CodeSteps = new(StringComparer.Ordinal)
    {
        ["voucher_index"] = VoucherIndex.RecordStored,
    };

    /// <summary>Applies what is missing; returns the migrations applied now (none when the store is current).</summary>
    public static IReadOnlyList<Migration> Apply(DbConnection connection, IStoreDialect dialect, IReadOnlyList<Migration> migrations, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(migrations);
        var legacy = dialect.LegacySchemaVersion(connection);
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (number BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
        var applied = connection.Query<(long Number, string Name)>("SELECT number, name FROM schema_migrations ORDER BY number").ToList();
        var at = now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        if (applied.Count == 0 && legacy != 0)
        {
            if (legacy != LegacySchemaVersion || migrations.Count == 0)
            {
                throw new InvalidOperationException($"{connection.DataSource} has schema version {legacy}, older than this build's first migration: make the network anew (a new --data folder).");
            }

            // Made by the build before numbered migrations: its schema is migration 0001.
            Record(connection, null, migrations[0], at);
            applied.Add((migrations[0].Number, migrations[0].Name));
        }

        for (var i = 0; i < applied.Count; i++)
        {
            if (i >= migrations.Count || applied[i].Number != migrations[i].Number || applied[i].Name != migrations[i].Name)
            {
                throw new InvalidOperationException(
                    $"{connection.DataSource} has migration {applied[i].Number:D4}_{applied[i].Name} applied, which this build does not know " +
                    $"(it knows {string.Join(", ", migrations.Select(m => $"{m.Number:D4}_{m.Name}"))}): it was made by a newer build; open it with that build.");
            }
        }

        if (applied.Count == 0)
        {
            dialect.PrepareNew(connection);
        }

        var done = new List<Migration>();
        foreach (var migration in migrations.Skip(applied.Count))
        {
            using var tx = dialect.BeginWrite(connection);
            // Another process opening the same store may have applied it since we looked.
            if (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_migrations WHERE number = @Number", new { migration.Number }, tx) == 0)
            {
                connection.Execute(migration.Sql, transaction: tx);
                if (CodeSteps.TryGetValue(migration.Name, out var step))
                {
                    step(connection, tx);
                }

                Record(connection, tx, migration, at);
                done.Add(migration);
            }

            tx.Commit();
        }

        return done;
    }

    /// <summary>For a store opened read-only: refuses one whose schema is not this build's, since it cannot be brought up to it.</summary>
    public static void RequireCurrent(DbConnection connection, IReadOnlyList<Migration> migrations)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        var applied = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_migrations");
        if (applied != migrations.Count)
        {
            throw new InvalidOperationException(
                $"{connection.DataSource} is read-only and has {applied} of this build's {migrations.Count} migrations: open it once where it can be written.");
        }
    }

    private static void Record(DbConnection connection, DbTransaction? tx, Migration migration, string at) =>
        connection.Execute("INSERT INTO schema_migrations (number, name, applied_at) VALUES (@Number, @Name, @at)", new { migration.Number, migration.Name, at }, tx);

    private static List<Migration> Load(string prefix)
    {
        var assembly = typeof(Migrations).Assembly;
        var list = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            var file = resource[prefix.Length..^".sql".Length];
            if (file.Contains('.', StringComparison.Ordinal))
            {
                continue; // another engine's folder
            }

            var underscore = file.IndexOf('_', StringComparison.Ordinal);
            var number = int.Parse(file[..underscore], NumberStyles.None, CultureInfo.InvariantCulture);
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            list.Add(new Migration(number, file[(underscore + 1)..], reader.ReadToEnd()));
        }

        list.Sort((a, b) => a.Number.CompareTo(b.Number));
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Number != i + 1)
            {
                throw new InvalidOperationException($"the built-in migrations are not numbered 1, 2, 3, …: {string.Join(", ", list.Select(m => m.Number))}");
            }
        }

        return list;
    }
}
