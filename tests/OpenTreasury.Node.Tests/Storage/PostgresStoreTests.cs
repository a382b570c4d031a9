using System.Data.Common;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using OpenTreasury.Node.Storage;

namespace OpenTreasury.Node.Tests.Storage;

/// <summary>
/// The PostgreSQL store against the SQLite one: the same numbered steps make the same tables, columns, checks,
/// triggers and indexes; the invariants hold in the database; writers of one node queue in the database.
/// </summary>
public sealed partial class PostgresStoreTests : IDisposable
{
    private readonly string _databaseName = PostgresServer.NewName("ot_store");
    private readonly string _directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ot-pgstore-" + Path.GetRandomFileName())).FullName;
    private readonly PostgresStore _store;

    public PostgresStoreTests()
    {
        _store = new PostgresStore(PostgresServer.Shared.CreateDatabase(_databaseName), "n0test_finance");
    }

    public void Dispose()
    {
        NodeDatabase.ReleaseAll();
        PostgresServer.Shared.DropDatabase(_databaseName);
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Both_engines_have_the_same_numbered_steps()
    {
        Assert.Equal(Migrations.Known.Select(m => (m.Number, m.Name)), Migrations.KnownPostgres.Select(m => (m.Number, m.Name)));
    }

    [Fact]
    public void The_same_steps_make_the_same_tables_columns_checks_triggers_and_indexes()
    {
        var sqlite = NodeDatabase.Open(Path.Combine(_directory, "library.db"));
        var postgres = NodeDatabase.Open(_store);
        using var lite = sqlite.Connect();
        using var pg = postgres.Connect();

        var liteTables = lite.Query<(string Name, string Sql)>("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").ToList();
        var pgTables = pg.Query<string>("SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name::text COLLATE \"C\"").ToList();
        Assert.Equal(liteTables.Select(t => t.Name), pgTables);
        foreach (var (table, sql) in liteTables)
        {
            var liteColumns = lite.Query<string>($"SELECT name FROM pragma_table_info('{table}') ORDER BY cid").ToList();
            var pgColumns = pg.Query<string>("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table ORDER BY ordinal_position", new { table }).ToList();
            Assert.Equal(liteColumns, pgColumns);

            var liteChecks = CheckClause().Count(sql);
            var pgChecks = pg.ExecuteScalar<long>("SELECT COUNT(*) FROM pg_constraint WHERE contype = 'c' AND conrelid = to_regclass(@table)", new { table });
            Assert.True(liteChecks == pgChecks, $"{table}: {liteChecks} CHECKs in SQLite, {pgChecks} in PostgreSQL");
        }

        var liteTriggers = lite.Query<(string, string)>("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").ToList();
        var pgTriggers = pg.Query<(string, string)>(
            "SELECT DISTINCT trigger_name::text COLLATE \"C\" AS name, event_object_table::text AS tbl FROM information_schema.triggers WHERE trigger_schema = current_schema() ORDER BY name").ToList();
        Assert.NotEmpty(liteTriggers);
        Assert.Equal(liteTriggers, pgTriggers);

        var liteIndexes = lite.Query<string>("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").ToList();
        var pgIndexes = pg.Query<string>("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()").ToHashSet();
        Assert.All(liteIndexes, index => Assert.Contains(index, pgIndexes));
    }

    [Fact]
    public void The_audit_log_is_append_only_and_a_quota_is_never_overspent_in_the_database()
    {
        var database = NodeDatabase.Open(_store);
        using var connection = database.Connect();
        connection.Execute("INSERT INTO audit (seq, at, actor, operation, subject, detail, prev_hash, hash) VALUES (1, 't', 'a', 'o', 's', 'd', 'p', 'h')");

        var update = Assert.Throws<PostgresException>(() => connection.Execute("UPDATE audit SET detail = 'edited'"));
        Assert.Contains("append-only", update.MessageText, StringComparison.Ordinal);
        Assert.Throws<PostgresException>(() => connection.Execute("DELETE FROM audit"));

        connection.Execute("INSERT INTO bank_quotas (adm_div_code, st_year, agency_code, exp_func_code, issued_fen, paid_fen) VALUES ('533103', 2026, '101001', '2010301', 100, 0)");
        var overspent = Assert.Throws<PostgresException>(() => connection.Execute("UPDATE bank_quotas SET paid_fen = 101"));
        Assert.Equal(PostgresErrorCodes.CheckViolation, overspent.SqlState);
        Assert.Equal(0L, connection.ExecuteScalar<long>("SELECT paid_fen FROM bank_quotas"));
    }

    [Fact]
    public void A_duplicate_key_is_a_unique_violation_of_the_dialect()
    {
        var database = NodeDatabase.Open(_store);
        using var connection = database.Connect();
        connection.Execute("INSERT INTO applied_notices (message_id, applied_at) VALUES ('m1', 't')");

        var duplicate = Assert.Throws<PostgresException>(() => connection.Execute("INSERT INTO applied_notices (message_id, applied_at) VALUES ('m1', 't')"));
        Assert.True(database.Dialect.IsUniqueViolation(duplicate));
        Assert.False(database.Dialect.IsBusy(duplicate));
    }

    [Fact]
    public async Task Writers_of_one_node_queue_in_the_database_and_the_second_sees_the_first()
    {
        var database = NodeDatabase.Open(_store);
        Execute(database, "INSERT INTO voucher_numbers (adm_div_code, st_year, vt_code, last_no) VALUES ('533103', 2026, '8202', 1)");

        using var first = database.Connect();
        using var firstTx = database.BeginWrite(first);
        var last = first.ExecuteScalar<long>("SELECT last_no FROM voucher_numbers", transaction: firstTx);

        var second = Task.Run(() =>
        {
            using var connection = database.Connect();
            using var tx = database.BeginWrite(connection); // waits for the first writer's commit
            var seen = connection.ExecuteScalar<long>("SELECT last_no FROM voucher_numbers", transaction: tx);
            connection.Execute("UPDATE voucher_numbers SET last_no = @next", new { next = seen + 1 }, tx);
            tx.Commit();
            return seen;
        });

        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.False(second.IsCompleted, "the second writer did not wait for the first");
        first.Execute("UPDATE voucher_numbers SET last_no = @next", new { next = last + 1 }, firstTx);
        firstTx.Commit();

        Assert.Equal(2L, await second);
        using var check = database.Connect();
        Assert.Equal(3L, check.ExecuteScalar<long>("SELECT last_no FROM voucher_numbers"));
    }

    [Fact]
    public void A_node_folder_names_its_postgres_store_in_a_file_only_its_owner_reads()
    {
        var node = Path.Combine(_directory, "finance");
        _store.Write(node);

        var database = NodeDatabase.OpenNode(node);

        Assert.Equal("PostgreSQL", database.Dialect.Name);
        Assert.Equal(_store.ToString(), database.Path);
        Assert.DoesNotContain("Password", database.Path, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(Path.Combine(node, NodeDatabase.LibraryFile)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(node, PostgresStore.ConfigFile)));
        }
    }

    [Fact]
    public void A_store_of_a_newer_build_is_refused()
    {
        NodeDatabase.Open(_store, [.. Migrations.KnownPostgres, new Migration(Migrations.KnownPostgres.Count + 1, "user_nickname", "ALTER TABLE users ADD COLUMN nickname TEXT;")]);

        var error = Assert.Throws<InvalidOperationException>(() => NodeDatabase.Open(_store));

        Assert.Contains("newer build", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Finance")]
    [InlineData("bank-102")]
    [InlineData("x; DROP SCHEMA public")]
    [InlineData("")]
    public void A_schema_name_is_a_plain_lower_case_name(string schema) =>
        Assert.Throws<ArgumentException>(() => new PostgresStore("Host=127.0.0.1", schema));

    private static void Execute(NodeDatabase database, string sql)
    {
        using DbConnection connection = database.Connect();
        connection.Execute(sql);
    }

    [GeneratedRegex(@"\bCHECK\s*\(")]
    private static partial Regex CheckClause();
}
