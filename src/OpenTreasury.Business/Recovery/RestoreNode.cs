using Dapper;
using OpenTreasury.Business.Checks;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.Recovery;
using OpenTreasury.Node.Storage;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Business.Recovery;

/// <summary>What a restore did: the backup's manifest, the SM3 of the backup file, and the check of the restored store.</summary>
public sealed record RestoreOutcome(BackupManifest Manifest, string BackupSm3, NodeCheckReport Check);

/// <summary>
/// <c>treasury node restore</c> (ADR 0016): a node's folder made again from its backup. The backup is checked whole
/// (signature, every file) into a scratch folder beside the target; the restored store is checked as <c>node check</c>
/// checks one (every voucher, the audit chain and its signed checkpoints, the balances) and must end its audit chain where
/// the signed manifest says; the node's key must open under its passphrase. Only then is the restore recorded (the node is
/// recovering from then on) and the folder moved into place. A failure at any step leaves the target as it was.
/// </summary>
public static class RestoreNode
{
    public static RestoreOutcome Run(string backupFile, string nodeDirectory, NetworkTrust trust, MasterData master, Func<string> passphrase, TimeProvider clock, string actor)
    {
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(clock);
        var target = Path.GetFullPath(nodeDirectory);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new BackupException(BackupFailure.NodeExists, $"{target} 不是空文件夹：恢复从不覆盖现有节点，请先移走它（或恢复到一个新的空文件夹）");
        }

        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(target));
        var scratch = Path.Combine(Path.GetDirectoryName(target)!, $".restore-{name}-{Guid.NewGuid():N}");
        var sm3 = NodeBackup.DigestOf(backupFile);
        try
        {
            var manifest = NodeBackup.Extract(backupFile, scratch, trust);
            var party = PartyId.Parse(manifest.Party);
            if (PartyId.TryParse(name, out var named) && named != party)
            {
                throw new BackupException(BackupFailure.WrongParty, $"备份是 {party} 节点的，不能恢复到 {name} 的文件夹 {target}");
            }

            if (!master.Parties.Contains(party))
            {
                throw new BackupException(BackupFailure.WrongParty, $"备份是 {party} 节点的，本网络的主数据中没有该机构");
            }

            RestoreOutcome outcome;
            var node = NodeBuilder.Build(new NodeOptions
            {
                Directory = scratch,
                Party = party,
                Master = master,
                Clock = clock,
                Trust = trust,
                Transport = new SendsNothing(),
                Passphrase = passphrase,
                Random = new SecureRandom(),
            });
            try
            {
                _ = NodeBuilder.Key(scratch, party, passphrase).Credential; // the key opens under its passphrase, or KeyFileException
                var check = NodeCheck.Run(node);
                var tip = AuditTip(node);
                var differences = check.Differences.ToList();
                if (tip != (manifest.AuditSeq, manifest.AuditHash))
                {
                    differences.Add($"audit: the chain ends at entry {tip.Seq}, the signed manifest says {manifest.AuditSeq}");
                }

                if (differences.Count > 0)
                {
                    throw new BackupException(BackupFailure.Altered, $"备份中的凭证库检查未通过（{differences.Count} 处不符，第一处：{differences[0]}），拒绝恢复");
                }

                node.Library.RecordRestore(actor, manifest.TakenAt, manifest.AuditSeq, sm3);
                outcome = new RestoreOutcome(manifest, sm3, check);
            }
            finally
            {
                node.Signers.Dispose();
                NodeDatabase.ReleaseAll(); // every pooled connection to the scratch store closed before it moves
            }

            if (Directory.Exists(target))
            {
                Directory.Delete(target);
            }

            Directory.Move(scratch, target);
            return outcome;
        }
        catch
        {
            NodeDatabase.ReleaseAll();
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }

            throw;
        }
    }

    private static (long Seq, string Hash) AuditTip(TreasuryNode node)
    {
        using var connection = node.Library.Database.Connect();
        return connection.QueryFirstOrDefault<(long Seq, string Hash)?>("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
            ?? (0, Node.Audit.AuditLog.GenesisHash);
    }

    /// <summary>A restore sends nothing: its node is recovering, and the node that serves afterwards has its own transport.</summary>
    private sealed class SendsNothing : ITransport
    {
        public Task<DeliveryAnswer> DeliverAsync(TransportMessage message, CancellationToken cancellationToken) =>
            throw new TransportException("a restore sends nothing");
    }
}
