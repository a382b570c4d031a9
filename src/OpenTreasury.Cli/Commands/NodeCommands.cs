using System.CommandLine;
using OpenTreasury.Business;
using OpenTreasury.Business.Checks;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.Signing;
using OpenTreasury.Server.Standalone;
using OpenTreasury.Simulation;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Pki;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Cli.Commands;

/// <summary><c>treasury node check</c>: one node's store checked against itself, read-only (and <c>status</c>, <c>dead-letters</c>: <see cref="NodeStatusCommands"/>).</summary>
internal static class NodeCommands
{
    public static Command Create()
    {
        var node = new Option<DirectoryInfo>("--node") { Description = "The node's own folder (library.db, keys/), e.g. DIR/bank-102", Required = true };
        var json = Common.JsonOption();
        var check = new Command("check", "Check a node's store against itself: every voucher against its digest and stamps, the audit chain against its signed checkpoints, every balance against the vouchers that explain it (exit 0 clean, 4 with each difference named)")
        {
            node, json,
        };
        check.SetAction(result =>
        {
            var folder = result.GetValue(node)!.FullName;
            if (!File.Exists(Path.Combine(folder, "library.db")))
            {
                return Report.BadInput("NO-NODE", $"{folder} 不是节点文件夹（其中没有 library.db）", $"{folder} is not a node's folder (no library.db)");
            }

            var party = StandaloneNode.ReadParty(folder, out var problem);
            if (party is null)
            {
                return Report.BadInput("NO-NODE", $"{folder} 不是节点文件夹：{problem}", problem);
            }

            var network = Path.GetDirectoryName(folder)!;
            var passphrase = TreasuryNetwork.IsDemo(network) ? (string?)TreasuryNetwork.DemoPassphrase : Environment.GetEnvironmentVariable(KeyPassphrase.EnvironmentVariable);
            var trust = NetworkTrust.Load(Path.Combine(network, TreasuryNetwork.PublicFolder),
                new DeferredTimestampAuthority(() => throw new TimestampException("a check asks no timestamps")));
            var opened = NodeBuilder.Build(new NodeOptions
            {
                Directory = folder,
                Party = party.Value,
                Master = MasterData.FromJson(File.ReadAllText(Path.Combine(network, TreasuryNetwork.ManifestFile))),
                Clock = TimeProvider.System,
                Trust = trust,
                Transport = new NoTransport(),
                // A check signs nothing; a checkpoint falls due only when something writes, which a check does not.
                Passphrase = () => passphrase ?? throw new KeyFileException(KeyFileFailure.PassphraseMissing, "检查不需要节点私钥"),
                Random = new SecureRandom(),
            });
            var report = NodeCheck.Run(opened);
            if (result.GetValue(json))
            {
                Common.WriteJson(new { party = report.Party.ToString(), report.Vouchers, report.AuditEntries, report.Checkpoints, report.BalanceLines, clean = report.Clean, report.Differences });
            }
            else
            {
                Console.WriteLine($"{report.Party}: {report.Vouchers} 张凭证, 审计链 {report.AuditEntries} 条（{report.Checkpoints} 个签名检查点）, 额度等余额 {report.BalanceLines} 行");
                foreach (var difference in report.Differences)
                {
                    Console.WriteLine($"  不符 {difference}");
                }

                Console.WriteLine(report.Clean ? "检查通过：凭证、审计链与余额一致" : $"检查未通过：{report.Differences.Count} 处不符");
            }

            return report.Clean ? Exit.Ok : Exit.Tampered;
        });
        return new Command("node", "One node's store") { check, NodeStatusCommands.Status(), NodeStatusCommands.DeadLetters(), NodeBackupCommands.Backup(), NodeBackupCommands.Restore() };
    }

    /// <summary>A check sends nothing.</summary>
    internal sealed class NoTransport : ITransport
    {
        public Task<DeliveryAnswer> DeliverAsync(TransportMessage message, CancellationToken cancellationToken) =>
            throw new TransportException("treasury node check sends nothing");
    }
}
