using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using OpenTreasury.Domain;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Certificates;

namespace OpenTreasury.Node.Audit;

/// <summary>One signed checkpoint of a node's audit chain.</summary>
public sealed record AuditCheckpoint(long Seq, string Hash, byte[] Signature, string SignedAt);

/// <summary>
/// Signed checkpoints of a node's audit chain (<c>audit_checkpoints</c>): the head's sequence and hash,
/// signed with the node's institution key every <see cref="Limits.AuditCheckpointEvery"/> entries, in
/// the transaction that reaches the count. A chain recomputed after an edit, or cut short, disagrees
/// with a checkpoint, and a checkpoint cannot be made again without the node's key.
/// </summary>
public static class AuditCheckpoints
{
    public const string PropertyInfo = "OpenTreasury audit checkpoint";

    /// <summary>The bytes a checkpoint signs: party, sequence and head hash.</summary>
    public static byte[] SignedBytes(PartyId party, long seq, string hash) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{party}|{seq}|{hash}"));

    /// <summary>
    /// Signs a checkpoint when the chain has grown by <see cref="Limits.AuditCheckpointEvery"/> entries since
    /// the last one. A node opened without its key's passphrase (a read-only look) signs none; the next
    /// session that has it covers the head.
    /// </summary>
    /// <param name="sign">Signs the checkpoint's bytes with the node's institution key (the node's signature server).</param>
    public static void MaybeSign(DbConnection connection, DbTransaction transaction, PartyId party, Func<byte[], byte[]> sign, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(sign);
        var head = connection.QueryFirstOrDefault<(long Seq, string Hash)?>("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", transaction: transaction);
        if (head is not { } last)
        {
            return;
        }

        var signedUpTo = connection.ExecuteScalar<long?>("SELECT MAX(seq) FROM audit_checkpoints", transaction: transaction) ?? 0;
        if (last.Seq - signedUpTo < Limits.AuditCheckpointEvery)
        {
            return;
        }

        byte[] signature;
        try
        {
            signature = sign(SignedBytes(party, last.Seq, last.Hash));
        }
        catch (KeyFileException)
        {
            return; // No passphrase for the node's key here: a later session signs the head.
        }

        connection.Execute(
            "INSERT INTO audit_checkpoints (seq, hash, signature, signed_at) VALUES (@seq, @hash, @signature, @at)",
            new { seq = last.Seq, hash = last.Hash, signature, at = now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) },
            transaction);
    }

    /// <summary>Every checkpoint, oldest first.</summary>
    public static IReadOnlyList<AuditCheckpoint> List(DbConnection connection) =>
        [.. connection.Query<AuditCheckpoint>("SELECT seq AS Seq, hash AS Hash, signature AS Signature, signed_at AS SignedAt FROM audit_checkpoints ORDER BY seq")];

    /// <summary>
    /// The differences between the chain and its checkpoints: a checkpoint whose signature does not verify,
    /// whose entry is gone (the tail was cut), or whose entry's hash is another (the chain was recomputed).
    /// </summary>
    /// <param name="verify">Why the signature over the bytes is not the node's, or null when it is.</param>
    public static IReadOnlyList<string> Check(DbConnection connection, PartyId party, Func<byte[], byte[], string?> verify)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(verify);
        var problems = new List<string>();
        foreach (var checkpoint in List(connection))
        {
            if (verify(SignedBytes(party, checkpoint.Seq, checkpoint.Hash), checkpoint.Signature) is { } why)
            {
                problems.Add($"checkpoint at entry {checkpoint.Seq} is not signed by {party}'s key: {why}");
                continue;
            }

            var hash = connection.ExecuteScalar<string?>("SELECT hash FROM audit WHERE seq = @seq", new { seq = checkpoint.Seq });
            if (hash is null)
            {
                problems.Add($"entry {checkpoint.Seq}, signed in a checkpoint at {checkpoint.SignedAt}, is gone: the log's tail was removed");
            }
            else if (hash != checkpoint.Hash)
            {
                problems.Add($"entry {checkpoint.Seq} has hash {hash[..12]}…, its signed checkpoint says {checkpoint.Hash[..12]}…: the chain was recomputed");
            }
        }

        return problems;
    }
}
