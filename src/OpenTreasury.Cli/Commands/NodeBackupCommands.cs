using System.CommandLine;
using OpenTreasury.Business;
using OpenTreasury.Business.Recovery;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.Recovery;
using OpenTreasury.Node.Signing;
using OpenTreasury.Server.Standalone;
using OpenTreasury.Simulation;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Pki;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>treasury node backup</c> and <c>treasury node restore</c> (ADR 0016): a node's folder into one signed backup file
/// while it serves, and back from one into an empty folder, checked, where it is recovering until its peers give back
/// what it did after the backup.
/// </summary>
internal static class NodeBackupCommands
{
    public static Command Backup()
    {
        var node = new Option<DirectoryInfo>("--node") { Description = "The node's own folder (library.db, keys/), e.g. DIR/bank-102", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "The backup file to write (must not exist), e.g. bank-102-20261204.backup", Required = true };
        var json = Common.JsonOption();
        var command = new Command("backup", "Back up a node while it serves: a consistent snapshot of its library, its key files as they are at rest (the key stays encrypted) and a manifest of SM3 digests signed with the node's key, in one file readable by its owner only (exit 0; 2 when the folder is not a node's or the file exists)")
        {
            node, output, json,
        };
        command.SetAction(result =>
        {
            var folder = result.GetValue(node)!.FullName;
            if (!File.Exists(Path.Combine(folder, NodeBuilder.LibraryFile)) && !File.Exists(Path.Combine(folder, Node.Storage.PostgresStore.ConfigFile)))
            {
                return Report.BadInput("NO-NODE", $"{folder} 不是节点文件夹（其中没有 library.db 或 store.json）", $"{folder} is not a node's folder");
            }

            if (StandaloneNode.ReadParty(folder, out var problem) is not { } party)
            {
                return Report.BadInput("NO-NODE", $"{folder} 不是节点文件夹：{problem}", problem);
            }

            var file = result.GetValue(output)!.FullName;
            var opened = Open(folder, party);
            var manifest = NodeBackup.Take(opened.Library, folder, file, DateTimeOffset.UtcNow);
            if (result.GetValue(json))
            {
                Common.WriteJson(new { party = manifest.Party, file, takenAt = manifest.TakenAt, auditSeq = manifest.AuditSeq, files = manifest.Files });
            }
            else
            {
                Console.WriteLine($"{party} 已备份到 {file}：凭证库快照（审计链至第 {manifest.AuditSeq} 条）、节点证书与加密的私钥，清单已由节点签名");
            }

            return Exit.Ok;
        });
        return command;
    }

    public static Command Restore()
    {
        var node = new Option<DirectoryInfo>("--node") { Description = "The node's folder to make again, empty or not yet there, e.g. DIR/bank-102", Required = true };
        var from = new Option<FileInfo>("--from") { Description = "The backup file that treasury node backup wrote", Required = true };
        var json = Common.JsonOption();
        var command = new Command("restore", "Restore a node from its backup into an empty folder: the signature and every file are checked, the restored library is checked as node check checks one; the node is then recovering: once served, it takes back from its peers what it did after the backup before it does any business (exit 0; 2 for a folder that holds a node or a file that is not a backup; 4 for a changed or foreign backup)")
        {
            node, from, json,
        };
        command.SetAction(result =>
        {
            var folder = result.GetValue(node)!.FullName;
            var file = result.GetValue(from)!.FullName;
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"'{file}'", file);
            }

            var network = Path.GetDirectoryName(folder)!;
            var manifestFile = Path.Combine(network, TreasuryNetwork.ManifestFile);
            if (!File.Exists(manifestFile))
            {
                return Report.BadInput("NO-NETWORK", $"{network} 不是网络文件夹（其中没有 {TreasuryNetwork.ManifestFile}）：节点恢复到它所属网络的文件夹中", $"{network} is not a network folder");
            }

            var outcome = RestoreNode.Run(file, folder, Trust(network), MasterData.FromJson(File.ReadAllText(manifestFile)),
                () => Passphrase(network) ?? throw new KeyFileException(KeyFileFailure.PassphraseMissing, $"恢复需要节点私钥的口令（环境变量 {KeyPassphrase.EnvironmentVariable}）"),
                TimeProvider.System, Environment.UserName);
            if (result.GetValue(json))
            {
                Common.WriteJson(new { party = outcome.Manifest.Party, folder, takenAt = outcome.Manifest.TakenAt, auditSeq = outcome.Manifest.AuditSeq, backupSm3 = outcome.BackupSm3, vouchers = outcome.Check.Vouchers, recovering = true });
            }
            else
            {
                Console.WriteLine($"{outcome.Manifest.Party} 已从备份恢复到 {folder}：{outcome.Check.Vouchers} 张凭证、审计链 {outcome.Check.AuditEntries} 条检查通过（备份时间 {outcome.Manifest.TakenAt:yyyy-MM-dd HH:mm:ss} UTC）");
                Console.WriteLine("节点处于恢复状态，不办理业务：启动它（treasury serve --node …）后，它先向各对端节点取回备份之后的消息，取回后才开始办理；treasury node status 显示进度");
            }

            return Exit.Ok;
        });
        return command;
    }

    private static string? Passphrase(string network) =>
        TreasuryNetwork.IsDemo(network) ? TreasuryNetwork.DemoPassphrase : Environment.GetEnvironmentVariable(KeyPassphrase.EnvironmentVariable);

    private static NetworkTrust Trust(string network) =>
        NetworkTrust.Load(Path.Combine(network, TreasuryNetwork.PublicFolder), new DeferredTimestampAuthority(() => throw new TimestampException("a backup asks no timestamps")));

    /// <summary>The node, opened as <c>node check</c> opens it, with its key to sign the manifest.</summary>
    private static TreasuryNode Open(string folder, PartyId party)
    {
        var network = Path.GetDirectoryName(folder)!;
        return NodeBuilder.Build(new NodeOptions
        {
            Directory = folder,
            Party = party,
            Master = MasterData.FromJson(File.ReadAllText(Path.Combine(network, TreasuryNetwork.ManifestFile))),
            Clock = TimeProvider.System,
            Trust = Trust(network),
            Transport = new NodeCommands.NoTransport(),
            Passphrase = () => Passphrase(network) ?? throw new KeyFileException(KeyFileFailure.PassphraseMissing, $"备份的清单由节点私钥签名，需要它的口令（环境变量 {KeyPassphrase.EnvironmentVariable}）"),
            Random = new SecureRandom(),
        });
    }
}
