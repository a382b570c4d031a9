using System.Data.Common;
using Dapper;

namespace OpenTreasury.Node.Tests.Storage;

/// <summary>
/// Makes a store look as a build before migration N left it, for the tests of what a migration does to an old store: the
/// schema changes of every migration from N on are undone and their rows in <c>schema_migrations</c> removed, so opening
/// the store applies them again. A new migration that changes the schema adds its undo here (a test fails until it does).
/// </summary>
internal static class LaterMigrations
{
    private static readonly SortedDictionary<int, string> Undo = new()
    {
        [11] = "DROP TABLE voucher_lines; DROP TABLE voucher_headers;",
        [12] = "ALTER TABLE users DROP COLUMN adm_div_code;",
        [13] = "ALTER TABLE vouchers DROP COLUMN template_version;",
        [14] = "ALTER TABLE seals DROP COLUMN adm_div_code;",
        [15] = string.Empty, // rewrites only journal keys that name no division: it runs again harmlessly
        [16] = "DROP TABLE node_restores;",
        [17] = "DROP TABLE recovery_returns; DROP TABLE recovery_peers; DROP TABLE received_messages; DROP TABLE peer_sequences; DROP INDEX outbox_by_peer_seq; ALTER TABLE outbox DROP COLUMN peer_seq;",
    };

    public static void UndoFrom(DbConnection connection, int first)
    {
        // The newest first: a later migration's tables may refer to an earlier one's (recovery_peers to node_restores).
        foreach (var (number, sql) in Undo.Where(u => u.Key >= first).Reverse())
        {
            if (sql.Length > 0)
            {
                connection.Execute(sql);
            }
        }

        connection.Execute("DELETE FROM schema_migrations WHERE number >= @first", new { first });
    }

    /// <summary>The highest migration this helper knows to undo; a test checks it is the newest migration of the build.</summary>
    public static int Newest => Undo.Keys.Max();
}
