using System.Data.Common;

namespace OpenTreasury.Node.Storage;

/// <summary>
/// One party node's store: a SQLite file in the node's folder (the embedded default, <see cref="SqliteDialect"/>) or
/// the node's schema in a PostgreSQL database (<see cref="PostgresDialect"/>), its schema brought up to this build by
/// the numbered <see cref="Migrations"/> when it is opened. Callers see only the ADO.NET base types; what is
/// engine-specific is behind <see cref="Dialect"/>.
/// </summary>
public sealed class NodeDatabase
{
    /// <summary>The SQLite file in a node's folder, unless its <see cref="PostgresStore.ConfigFile"/> names a PostgreSQL store.</summary>
    public const string LibraryFile = "library.db";

    private NodeDatabase(string path, IStoreDialect dialect)
    {
        Path = path;
        Dialect = dialect;
    }

    /// <summary>Where the store is, as an operator would be told: the SQLite file, or the PostgreSQL database and schema.</summary>
    public string Path { get; }

    public IStoreDialect Dialect { get; }

    /// <summary>
    /// Opens the store of the node whose folder is <paramref name="nodeDirectory"/>: the PostgreSQL schema its
    /// <see cref="PostgresStore.ConfigFile"/> names, else its <see cref="LibraryFile"/>.
    /// </summary>
    public static NodeDatabase OpenNode(string nodeDirectory) =>
        PostgresStore.Read(nodeDirectory) is { } postgres ? Open(postgres) : Open(System.IO.Path.Combine(nodeDirectory, LibraryFile));

    /// <summary>Opens (or creates) a node's schema in PostgreSQL and applies the PostgreSQL migrations built into this assembly.</summary>
    public static NodeDatabase Open(PostgresStore store) => Open(store, Migrations.KnownPostgres);

    /// <summary>Opens (or creates) a node's schema in PostgreSQL and applies <paramref name="migrations"/>, in order.</summary>
    public static NodeDatabase Open(PostgresStore store, IReadOnlyList<Migration> migrations)
    {
        ArgumentNullException.ThrowIfNull(store);
        var dialect = new PostgresDialect(store);
        dialect.EnsureSchema();
        var database = new NodeDatabase(store.ToString(), dialect);
        using var connection = database.Connect();
        Storage.Migrations.Apply(connection, dialect, migrations, DateTimeOffset.UtcNow);
        return database;
    }

    /// <summary>Opens (or creates) the store at <paramref name="path"/> and applies the migrations built into this assembly.</summary>
    public static NodeDatabase Open(string path) => Open(path, Migrations.Known);

    /// <summary>Opens (or creates) the store at <paramref name="path"/> and applies <paramref name="migrations"/>, in order.</summary>
    public static NodeDatabase Open(string path, IReadOnlyList<Migration> migrations)
    {
        if (!File.Exists(path) && !OperatingSystem.IsWindows())
        {
            // The library is the party's own: created readable by its owner only (SQLite gives the -wal and -shm files the same mode).
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            using (File.Open(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            {
            }
        }

        if (File.Exists(path) && !Writable(path))
        {
            // A read-only folder or file (a copy on a read-only mount, a folder of another user): opened for reading,
            // so queries, checks and exports still work; a write is refused by SQLite (SQLITE_READONLY) and nothing changes.
            var readOnly = new NodeDatabase(path, new SqliteDialect(path, readOnly: true)) { IsReadOnly = true };
            using var reader = readOnly.Connect();
            Storage.Migrations.RequireCurrent(reader, migrations);
            return readOnly;
        }

        var database = new NodeDatabase(path, new SqliteDialect(path));
        using var connection = database.Connect();
        Storage.Migrations.Apply(connection, database.Dialect, migrations, DateTimeOffset.UtcNow);
        return database;
    }

    /// <summary>True when the store was opened for reading only (its file or folder cannot be written).</summary>
    public bool IsReadOnly { get; private init; }

    /// <summary>Whether this process may write the file and create its -wal and -shm files beside it.</summary>
    private static bool Writable(string path)
    {
        try
        {
            using (File.Open(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
            {
            }

            var probe = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, $".write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }

            return true;
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }

    /// <summary>Closes every pooled connection of this process, so the files are checkpointed and may be copied, moved or deleted.</summary>
    public static void ReleaseAll()
    {
        SqliteDialect.ReleaseAll();
        PostgresDialect.ReleaseAll();
    }

    /// <summary>A new open connection, configured for durable commits.</summary>
    public DbConnection Connect() => Dialect.Open();

    /// <summary>Begins a write transaction on <paramref name="connection"/> that takes the write lock at once.</summary>
    public DbTransaction BeginWrite(DbConnection connection) => Dialect.BeginWrite(connection);
}
