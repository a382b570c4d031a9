using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using OpenTreasury.Node.Storage;

namespace OpenTreasury.Node.Tests.Storage;

/// <summary>Numbered migrations: applied once, in order, each in its own transaction; a newer build's store is refused.</summary>
public sealed class MigrationTests : IDisposable
{
    /// <summary>What this build applies to a fresh store, in order.</summary>
    private static readonly (long, string)[] Built = [.. Migrations.Known.Select(m => ((long)m.Number, m.Name))];

    /// <summary>The number a next build's migration would take.</summary>
    private static readonly int Next = Migrations.Known.Count + 1;

    private static readonly Migration Nickname = new(Next, "user_nickname", "ALTER TABLE users ADD COLUMN nickname TEXT;");

    private readonly string _directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ot-migrations-" + Path.GetRandomFileName())).FullName;

    private string File => Path.Combine(_directory, "library.db");

    public void Dispose()
    {
        NodeDatabase.ReleaseAll();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void The_built_in_migrations_start_with_the_library_schema()
    {
        var first = Migrations.Known[0];
        Assert.Equal((1, "library"), (first.Number, first.Name));
        Assert.Equal(Enumerable.Range(1, Migrations.Known.Count), Migrations.Known.Select(m => m.Number));
        Assert.Contains("CREATE TABLE vouchers", first.Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void The_tests_of_old_stores_know_how_to_undo_the_newest_migration()
    {
        // LaterMigrations makes a store look older by undoing migrations; one it does not know would be applied twice.
        Assert.Equal(Migrations.Known[^1].Number, LaterMigrations.Newest);
        Assert.Equal(Migrations.Known[^1].Number, Migrations.KnownPostgres[^1].Number);
    }

    [Fact]
    public void A_fresh_store_applies_0001_in_wal_mode()
    {
        var database = NodeDatabase.Open(File);

        using var connection = database.Connect();
        Assert.Equal(Built, Applied(connection));
        Assert.Equal(0L, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM vouchers"));
        Assert.Equal("wal", connection.ExecuteScalar<string>("PRAGMA journal_mode"));
    }

    [Fact]
    public void Reopening_a_current_store_applies_nothing()
    {
        var database = NodeDatabase.Open(File);
        using var connection = database.Connect();
        var appliedAt = connection.ExecuteScalar<string>("SELECT applied_at FROM schema_migrations WHERE number = 1");

        Assert.Empty(Migrations.Apply(connection, database.Dialect, Migrations.Known, DateTimeOffset.UtcNow));
        NodeDatabase.Open(File);

        Assert.Equal(Built, Applied(connection));
        Assert.Equal(appliedAt, connection.ExecuteScalar<string>("SELECT applied_at FROM schema_migrations WHERE number = 1"));
    }

    [Fact]
    public void A_new_migration_is_applied_once_on_an_existing_store_and_keeps_its_rows()
    {
        var database = NodeDatabase.Open(File);
        using (var connection = database.Connect())
        {
            connection.Execute("INSERT INTO users (id, name, role) VALUES ('u1', 'Li', 'clerk')");
        }

        database = NodeDatabase.Open(File, [.. Migrations.Known, Nickname]);

        using (var connection = database.Connect())
        {
            Assert.Equal([.. Built, ((long)Next, "user_nickname")], Applied(connection));
            connection.Execute("UPDATE users SET nickname = 'xiao Li' WHERE id = 'u1'");
            Assert.Equal("xiao Li", connection.ExecuteScalar<string>("SELECT nickname FROM users WHERE id = 'u1'"));
            Assert.Empty(Migrations.Apply(connection, database.Dialect, [.. Migrations.Known, Nickname], DateTimeOffset.UtcNow));
        }
    }

    [Fact]
    public void A_failing_migration_leaves_nothing_of_itself_behind()
    {
        NodeDatabase.Open(File);
        var broken = new Migration(Next, "broken", "CREATE TABLE half_done (a TEXT); INSERT INTO no_such_table VALUES (1);");

        Assert.Throws<SqliteException>(() => NodeDatabase.Open(File, [.. Migrations.Known, broken]));

        var database = NodeDatabase.Open(File);
        using var connection = database.Connect();
        Assert.Equal(Built, Applied(connection));
        Assert.Equal(0L, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'"));
    }

    [Fact]
    public void A_store_with_a_migration_this_build_does_not_know_is_refused()
    {
        NodeDatabase.Open(File, [.. Migrations.Known, Nickname]);

        var error = Assert.Throws<InvalidOperationException>(() => NodeDatabase.Open(File));

        Assert.Contains($"migration {Next:D4}_user_nickname", error.Message, StringComparison.Ordinal);
        Assert.Contains("newer build", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_store_made_before_numbered_migrations_is_taken_as_0001_applied()
    {
        using (var legacy = Raw())
        {
            // What this build's predecessor wrote: the whole schema and user_version 4, no schema_migrations.
            legacy.Execute(Migrations.Known[0].Sql);
            legacy.Execute("PRAGMA user_version=4");
            legacy.Execute("INSERT INTO users (id, name, role) VALUES ('u1', 'Li', 'clerk')");
        }

        var database = NodeDatabase.Open(File, [.. Migrations.Known, Nickname]);

        using var connection = database.Connect();
        Assert.Equal([.. Built, ((long)Next, "user_nickname")], Applied(connection));
        Assert.Equal(1L, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM users WHERE id = 'u1' AND nickname IS NULL"));
    }

    [Fact]
    public void A_store_of_an_older_schema_version_is_refused()
    {
        using (var legacy = Raw())
        {
            legacy.Execute("PRAGMA user_version=3");
        }

        var error = Assert.Throws<InvalidOperationException>(() => NodeDatabase.Open(File));

        Assert.Contains("schema version 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sqlite_dialect_tells_a_unique_violation_and_a_busy_store_from_other_errors()
    {
        var database = NodeDatabase.Open(File);
        using var connection = database.Connect();
        connection.Execute("INSERT INTO applied_notices (message_id, applied_at) VALUES ('m1', 't')");
        connection.Execute("CREATE TABLE named (name TEXT UNIQUE)");
        connection.Execute("INSERT INTO named VALUES ('a')");

        var duplicateKey = Assert.Throws<SqliteException>(() => connection.Execute("INSERT INTO applied_notices (message_id, applied_at) VALUES ('m1', 't')"));
        var duplicateName = Assert.Throws<SqliteException>(() => connection.Execute("INSERT INTO named VALUES ('a')"));
        var check = Assert.Throws<SqliteException>(() => connection.Execute("INSERT INTO users (id, name, role, locked) VALUES ('u', 'n', 'r', 7)"));
        DbException busy;
        using (var writer = database.BeginWrite(connection))
        {
            connection.Execute("INSERT INTO named VALUES ('b')", transaction: writer);
            using var other = Raw();
            other.Execute("PRAGMA busy_timeout=0");
            busy = Assert.Throws<SqliteException>(() => other.Execute("INSERT INTO named VALUES ('c')"));
        }

        Assert.True(database.Dialect.IsUniqueViolation(duplicateKey));
        Assert.True(database.Dialect.IsUniqueViolation(duplicateName));
        Assert.False(database.Dialect.IsUniqueViolation(check));
        Assert.False(database.Dialect.IsUniqueViolation(busy));
        Assert.True(database.Dialect.IsBusy(busy));
        Assert.False(database.Dialect.IsBusy(duplicateKey));
        Assert.False(database.Dialect.IsBusy(check));
    }

    private static List<(long Number, string Name)> Applied(DbConnection connection) =>
        [.. connection.Query<(long, string)>("SELECT number, name FROM schema_migrations ORDER BY number")];

    private SqliteConnection Raw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = File, Pooling = false, DefaultTimeout = 1 }.ToString());
        connection.Open();
        return connection;
    }
}
