using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using OpenTreasury.Trust.Crypto;

namespace OpenTreasury.Node.Audit;

/// <summary>The result of checking a node's audit chain.</summary>
public sealed record AuditVerification(bool Intact, long Entries, long? FirstBrokenSeq, string Message);

/// <summary>
/// The append-only, hash-chained audit log of one node: every entry's hash is SM3 over the previous
/// hash and the entry, so changing, removing or reordering any entry breaks every hash after it.
/// Entries are appended inside the transaction of the operation they record.
/// </summary>
public static class AuditLog
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public static void Append(DbConnection connection, DbTransaction transaction, DateTimeOffset at, string actor, string operation, string subject, string detail)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var last = connection.QueryFirstOrDefault<LastEntry>(
            "SELECT seq AS Seq, hash AS Hash FROM audit ORDER BY seq DESC LIMIT 1", transaction: transaction);
        var seq = (last?.Seq ?? 0) + 1;
        var prev = last?.Hash ?? GenesisHash;
        var atText = at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        var hash = Hash(seq, atText, actor, operation, subject, detail, prev);
        connection.Execute(
            "INSERT INTO audit (seq, at, actor, operation, subject, detail, prev_hash, hash) VALUES (@seq, @atText, @actor, @operation, @subject, @detail, @prev, @hash)",
            new { seq, atText, actor, operation, subject, detail, prev, hash },
            transaction);
    }

    public static AuditVerification Verify(DbConnection connection) => VerifyFrom(connection, 0, GenesisHash, out _);

    /// <summary>
    /// Checks the chain after entry <paramref name="afterSeq"/>, whose hash was <paramref name="afterHash"/> when it was
    /// last checked (0 and <see cref="GenesisHash"/>: the whole chain); <paramref name="lastHash"/> is the hash of the last
    /// entry checked, to continue from next time. Entries are counted from the start of the chain.
    /// </summary>
    public static AuditVerification VerifyFrom(DbConnection connection, long afterSeq, string afterHash, out string lastHash)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var prev = afterHash;
        var expectedSeq = afterSeq + 1;
        lastHash = afterHash;
        if (afterSeq > 0 && connection.ExecuteScalar<string?>("SELECT hash FROM audit WHERE seq = @afterSeq", new { afterSeq }) != afterHash)
        {
            return new(false, afterSeq - 1, afterSeq, $"entry {afterSeq} changed or vanished since it was last checked: the log was altered");
        }

        foreach (var row in connection.Query<AuditRow>(
            "SELECT seq AS Seq, at AS At, actor AS Actor, operation AS Operation, subject AS Subject, detail AS Detail, prev_hash AS PrevHash, hash AS Hash FROM audit WHERE seq > @afterSeq ORDER BY seq",
            new { afterSeq },
            buffered: false))
        {
            if (row.Seq != expectedSeq)
            {
                return new(false, expectedSeq - 1, expectedSeq, $"entry {expectedSeq} is missing (next entry is {row.Seq})");
            }

            if (row.PrevHash != prev)
            {
                return new(false, row.Seq - 1, row.Seq, $"entry {row.Seq} does not link to entry {row.Seq - 1}: the log was altered");
            }

            var hash = Hash(row.Seq, row.At, row.Actor, row.Operation, row.Subject, row.Detail, row.PrevHash);
            if (hash != row.Hash)
            {
                return new(false, row.Seq - 1, row.Seq, $"entry {row.Seq} ({row.Operation} {row.Subject}) does not match its hash: its content was altered");
            }

            prev = row.Hash;
            lastHash = row.Hash;
            expectedSeq++;
        }

        return new(true, expectedSeq - 1, null, $"{expectedSeq - 1} entries, chain intact");
    }

    private static string Hash(long seq, string at, string actor, string operation, string subject, string detail, string prev)
    {
        // Length-prefixed fields, so no two different entries can encode to the same bytes.
        var text = new StringBuilder();
        foreach (var part in new[] { seq.ToString(CultureInfo.InvariantCulture), at, actor, operation, subject, detail, prev })
        {
            text.Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part).Append(';');
        }

        return Convert.ToHexStringLower(Sm3.Hash(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private sealed record LastEntry(long Seq, string Hash);

    private sealed record AuditRow(long Seq, string At, string Actor, string Operation, string Subject, string Detail, string PrevHash, string Hash);
}
