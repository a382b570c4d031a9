using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace OpenTreasury.Node.Storage;

/// <summary>
/// Where a node's PostgreSQL store is: a database (<see cref="ConnectionString"/>, without the password when the
/// operator keeps it in <c>~/.pgpass</c> or <c>PGPASSWORD</c>) and the node's own schema in it.
/// </summary>
public sealed partial record PostgresStore
{
    /// <summary>The file in a node's folder that names its PostgreSQL store; without it the store is <c>library.db</c> (SQLite).</summary>
    public const string ConfigFile = "store.json";

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    public PostgresStore(string connectionString, string schema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        if (!SchemaName().IsMatch(schema ?? string.Empty))
        {
            throw new ArgumentException($"schema '{schema}' is not a plain name (a–z, 0–9, _, at most 63, starting with a letter)", nameof(schema));
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"not a PostgreSQL connection string: {e.Message}", nameof(connectionString), e);
        }

        ConnectionString = connectionString;
        Schema = schema!;
    }

    public string ConnectionString { get; }

    public string Schema { get; }

    /// <summary>The schema of <paramref name="party"/>'s node in network <paramref name="network"/>: <c>n&lt;network&gt;_&lt;party&gt;</c>.</summary>
    public static string SchemaOf(string network, string party) => $"n{network}_{party.Replace('-', '_')}".ToLowerInvariant();

    /// <summary>The store <paramref name="nodeDirectory"/>'s <see cref="ConfigFile"/> names, or null when it has none (SQLite).</summary>
    public static PostgresStore? Read(string nodeDirectory)
    {
        var file = Path.Combine(nodeDirectory, ConfigFile);
        if (!File.Exists(file))
        {
            return null;
        }

        var config = JsonSerializer.Deserialize<Config>(File.ReadAllText(file))
            ?? throw new InvalidDataException($"{file} is empty");
        if (config.Engine != "postgres" || config.Connection is null || config.Schema is null)
        {
            throw new InvalidDataException($"{file} should say {{\"engine\": \"postgres\", \"connection\": \"…\", \"schema\": \"…\"}}");
        }

        return new PostgresStore(config.Connection, config.Schema);
    }

    /// <summary>Names this store in <paramref name="nodeDirectory"/> (mode 0600: the connection string may hold a password).</summary>
    public void Write(string nodeDirectory)
    {
        Directory.CreateDirectory(nodeDirectory);
        var file = Path.Combine(nodeDirectory, ConfigFile);
        var temporary = file + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, new Config("postgres", ConnectionString, Schema), s_json);
        }

        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>Whether the database <paramref name="connectionString"/> names answers now; null if it does, else why not (one line).</summary>
    public static string? Problem(string connectionString)
    {
        try
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException or InvalidOperationException or TimeoutException)
        {
            return e.Message.ReplaceLineEndings(" ");
        }
    }

    /// <summary>Drops this node's schema and everything in it (a temporary network, such as a bench run's, when it is done).</summary>
    public void DropSchema()
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE"; // Schema matches ^[a-z][a-z0-9_]{0,62}$.
        command.ExecuteNonQuery();
    }

    /// <summary>This store with another database of the same server (a test's copy of a template).</summary>
    public PostgresStore InDatabase(string database) =>
        new(new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString, Schema);

    /// <summary>What an operator may be shown: host, port, database and schema, never the password.</summary>
    public override string ToString()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"postgres://{builder.Host}:{builder.Port}/{builder.Database}#{Schema}";
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();

    private sealed record Config(
        [property: System.Text.Json.Serialization.JsonPropertyName("engine")] string Engine,
        [property: System.Text.Json.Serialization.JsonPropertyName("connection")] string? Connection,
        [property: System.Text.Json.Serialization.JsonPropertyName("schema")] string? Schema);
}
