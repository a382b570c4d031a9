using System.CommandLine;
using OpenTreasury.Node.Storage;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>--store sqlite|postgres</c> and <c>--pg "CONNECTION STRING"</c> of the commands that make a network: where its
/// nodes' stores go. SQLite (the default): a file in each node's folder. PostgreSQL: a schema per node in the database
/// the connection string names, written in each node's <c>store.json</c>, so every later command finds it.
/// </summary>
internal sealed class StoreOptions
{
    public Option<string> Store { get; } = new("--store")
    {
        Description = "Where the nodes keep their libraries when the network is made: sqlite (a file in each node's folder) or postgres (a schema per node, with --pg)",
        DefaultValueFactory = _ => "sqlite",
    };

    public Option<string> Pg { get; } = new("--pg")
    {
        Description = "With --store postgres: the database, e.g. \"Host=127.0.0.1;Port=5432;Database=treasury;Username=treasury\" (the password from ~/.pgpass or PGPASSWORD)",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Store);
        command.Options.Add(Pg);
    }

    /// <summary>
    /// The PostgreSQL connection string chosen, null for SQLite; or a failure (STORE-1 bad options, STORE-2 the
    /// database does not answer), checked before anything is made.
    /// </summary>
    public bool TryRead(ParseResult result, out string? postgres, out int failure)
    {
        postgres = null;
        failure = 0;
        var store = result.GetValue(Store);
        var pg = result.GetValue(Pg);
        if (store is not ("sqlite" or "postgres") || (store == "postgres") != pg is { Length: > 0 })
        {
            failure = Report.BadInput("STORE-1", "--store 应为 sqlite 或 postgres；--pg（PostgreSQL 连接串）须与 --store postgres 一起给出",
                "--store must be sqlite or postgres; --pg goes with --store postgres and only with it");
            return false;
        }

        if (store == "sqlite")
        {
            return true;
        }

        if (PostgresStore.Problem(pg!) is { } problem)
        {
            failure = Report.Fail(new("STORE-2", Exit.Environment, $"无法连接 PostgreSQL 数据库（--pg）：{problem}", "the PostgreSQL database given with --pg does not answer"));
            return false;
        }

        postgres = pg;
        return true;
    }
}
