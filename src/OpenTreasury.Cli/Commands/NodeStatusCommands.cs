using System.CommandLine;
using System.Globalization;
using Dapper;
using OpenTreasury.Business;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.Signing;
using OpenTreasury.Node.Storage;
using OpenTreasury.Server.Standalone;
using OpenTreasury.Simulation;
using OpenTreasury.Transport.Rabbit;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Pki;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>treasury node status</c>: each peer link of a node as its store sees it (backlog, oldest undelivered message, last
/// error); <c>treasury node dead-letters</c>: the node's RabbitMQ dead queue, listed or replayed to its inbox.
/// </summary>
internal static class NodeStatusCommands
{
    public static Command Status()
    {
        var node = NodeOption();
        var json = Common.JsonOption();
        var command = new Command("status", "Each peer link of a node, read from its store: state (ok, queued, retrying, parked), outbox backlog, age of the oldest undelivered message, its attempts and last error (exit 0; 2 when the folder is not a node's)")
        {
            node, json,
        };
        command.SetAction(result =>
        {
            var folder = result.GetValue(node)!.FullName;
            if (ReadParty(folder, out var failure) is not { } party)
            {
                return failure;
            }

            var now = DateTimeOffset.UtcNow;
            var database = NodeDatabase.OpenNode(folder);
            List<LinkRow> rows;
            RecoveryRow? recovery;
            using (var connection = database.Connect())
            {
                // A node restored from a backup (ADR 0016): how far its recovery with its peers has come.
                recovery = connection.QueryFirstOrDefault<RecoveryRow>(
                    """
                    SELECT r.backup_taken_at AS BackupTakenAt,
                      (SELECT COUNT(*) FROM recovery_peers p WHERE p.restore_id = r.id) AS PeersAnswered,
                      (SELECT COALESCE(SUM(p.returned), 0) FROM recovery_peers p WHERE p.restore_id = r.id) AS Returned,
                      (SELECT COUNT(*) FROM recovery_returns q WHERE q.restore_id = r.id AND q.applied_at IS NOT NULL) AS Redone,
                      (SELECT a.detail FROM audit a WHERE a.operation = 'recovery-blocked' AND a.subject = 'restore ' || r.id ORDER BY a.seq LIMIT 1) AS Blocked
                    FROM node_restores r WHERE r.recovered_at IS NULL ORDER BY r.id DESC LIMIT 1
                    """);
                rows = [.. connection.Query<LinkRow>(
                    """
                    SELECT receiver AS Peer,
                      COUNT(CASE WHEN delivered_at IS NULL AND parked = 0 THEN 1 END) AS Backlog,
                      COUNT(CASE WHEN delivered_at IS NULL AND parked = 1 AND discarded_at IS NULL THEN 1 END) AS Parked,
                      MIN(CASE WHEN delivered_at IS NULL AND parked = 0 THEN created_at END) AS OldestUndelivered,
                      MAX(CASE WHEN delivered_at IS NULL AND parked = 0 THEN attempts ELSE 0 END) AS Attempts,
                      MAX(delivered_at) AS LastDelivered,
                      (SELECT o.last_error FROM outbox o WHERE o.receiver = outbox.receiver AND o.delivered_at IS NULL AND o.parked = 0 ORDER BY o.id LIMIT 1) AS LastError
                    FROM outbox GROUP BY receiver ORDER BY receiver
                    """)];
            }

            // Every party of the network is a peer, also those this node has never written to.
            var manifest = Path.Combine(Path.GetDirectoryName(folder)!, TreasuryNetwork.ManifestFile);
            var parties = File.Exists(manifest) ? MasterData.FromJson(File.ReadAllText(manifest)).Parties.Select(p => p.ToString()) : [];
            var links = parties.Where(p => p != party.ToString()).Union(rows.Select(r => r.Peer)).Order(StringComparer.Ordinal)
                .Select(peer => rows.SingleOrDefault(r => r.Peer == peer) ?? new LinkRow { Peer = peer })
                .Select(r => new Link(r.Peer, StateOf(r), r.Backlog, r.Parked, AgeSeconds(r.OldestUndelivered, now), r.Attempts, r.LastDelivered, r.LastError))
                .ToList();
            var backlog = links.Sum(l => l.Backlog);
            var oldest = links.Max(l => l.OldestUndeliveredAgeSeconds);
            if (result.GetValue(json))
            {
                Common.WriteJson(new
                {
                    party = party.ToString(),
                    backlog,
                    oldestUndeliveredAgeSeconds = oldest,
                    peers = links,
                    recovering = recovery is null ? null : new { backupTakenAt = recovery.BackupTakenAt, peersAnswered = recovery.PeersAnswered, peers = links.Count, ownMessagesReturned = recovery.Returned },
                });
                return Exit.Ok;
            }

            if (recovery is not null)
            {
                Console.WriteLine($"{party}: 恢复中（从 {recovery.BackupTakenAt} 的备份恢复），不办理业务：{recovery.PeersAnswered}/{links.Count} 个对端已答复"
                    + (recovery.Returned > 0 ? $"，交回本节点备份之后发出的消息 {recovery.Returned} 条，已按对端所持重做 {recovery.Redone} 条" : string.Empty));
                if (recovery.Blocked is { } blocked)
                {
                    Console.WriteLine($"{party}: 恢复已停止：{blocked}");
                }
            }

            Console.WriteLine($"{party}: 待投递 {backlog} 条{(oldest is { } age ? $"，最早一条已等待 {age} 秒" : string.Empty)}");
            foreach (var link in links)
            {
                Console.WriteLine($"  → {link.Peer,-10} {ChineseState(link.State)}（{link.State}）待投递 {link.Backlog}，搁置 {link.Parked}"
                    + (link.OldestUndeliveredAgeSeconds is { } a ? $"，最早 {a} 秒前，已尝试 {link.Attempts} 次" : string.Empty)
                    + (link.LastError is { } error ? $"；最近错误：{error}" : string.Empty));
            }

            return Exit.Ok;
        });
        return command;
    }

    public static Command DeadLetters()
    {
        var node = NodeOption();
        var amqp = new Option<string>("--amqp") { Description = "The broker, e.g. amqp://guest:guest@127.0.0.1:5672/ (a user without a password takes it from OPENTREASURY_AMQP_PASSWORD)", Required = true };
        var replay = new Option<bool>("--replay") { Description = "Move every dead letter back to the node's inbox queue (audited in the node's audit log); one that still does not open comes back here once" };
        var json = Common.JsonOption();
        var command = new Command("dead-letters", "The node's RabbitMQ dead queue ot.<party>.dead: message id, sender, time, size and reason of each message its inbox refused or gave up on; with --replay they go back to ot.<party>.inbox. "
            + "Exit 2 with AMQP-1 for a bad --amqp, 3 with AMQP-2 when the broker does not answer.")
        {
            node, amqp, replay, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var folder = result.GetValue(node)!.FullName;
            if (ReadParty(folder, out var failure) is not { } party)
            {
                return failure;
            }

            if (!RabbitTopology.TryParseUri(result.GetValue(amqp), out var broker, out var problem))
            {
                return TransportOptions.BadOptions(problem, "--amqp is not an amqp:// or amqps:// URI with a host");
            }

            var replaying = result.GetValue(replay);
            IReadOnlyList<DeadLetter> letters;
            try
            {
                letters = replaying
                    ? await Transport.Rabbit.DeadLetters.ReplayAsync(broker, party, cancellationToken).ConfigureAwait(false)
                    : await Transport.Rabbit.DeadLetters.ListAsync(broker, party, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException && RabbitTransport.IsBrokerFailure(e))
            {
                return Report.Fail(new("AMQP-2", Exit.Environment, $"无法连接 RabbitMQ 服务器 {RabbitTopology.Redacted(broker)}：连接被拒绝或超时（{e.GetType().Name}）", "the RabbitMQ broker given with --amqp does not answer"));
            }

            if (replaying && letters.Count > 0)
            {
                AuditReplay(folder, party, letters);
            }

            if (result.GetValue(json))
            {
                Common.WriteJson(new { party = party.ToString(), queue = RabbitTopology.DeadQueue(party), replayed = replaying, count = letters.Count, messages = letters });
                return Exit.Ok;
            }

            Console.WriteLine(replaying
                ? $"{party}: 已将 {letters.Count} 条死信从 {RabbitTopology.DeadQueue(party)} 移回 {RabbitTopology.InboxQueue(party)}（已记入审计日志）"
                : $"{party}: 死信队列 {RabbitTopology.DeadQueue(party)} 中有 {letters.Count} 条消息");
            foreach (var letter in letters)
            {
                Console.WriteLine($"  {letter.MessageId ?? "（无编号）"}  发送方 {letter.Sender ?? "?"}  发送于 {Time(letter.PublishedAt)}  进入死信 {Time(letter.DeadAt)}  {letter.Bytes} 字节  原因 {letter.Reason}（{letter.Deaths} 次，重放 {letter.Replays} 次）");
            }

            return Exit.Ok;
        });
        return command;
    }

    private static Option<DirectoryInfo> NodeOption() =>
        new("--node") { Description = "The node's own folder (library.db or store.json, keys/), e.g. DIR/bank-102", Required = true };

    private static PartyId? ReadParty(string folder, out int failure)
    {
        failure = 0;
        if (!File.Exists(Path.Combine(folder, NodeBuilder.LibraryFile)) && !File.Exists(Path.Combine(folder, PostgresStore.ConfigFile)))
        {
            failure = Report.BadInput("NO-NODE", $"{folder} 不是节点文件夹（其中没有 library.db 或 store.json）", $"{folder} is not a node's folder");
            return null;
        }

        var party = StandaloneNode.ReadParty(folder, out var problem);
        if (party is null)
        {
            failure = Report.BadInput("NO-NODE", $"{folder} 不是节点文件夹：{problem}", problem);
        }

        return party;
    }

    /// <summary>One audit entry per replayed message, in the node's own chain (opened as <c>node check</c> opens it).</summary>
    private static void AuditReplay(string folder, PartyId party, IReadOnlyList<DeadLetter> letters)
    {
        var network = Path.GetDirectoryName(folder)!;
        var passphrase = TreasuryNetwork.IsDemo(network) ? (string?)TreasuryNetwork.DemoPassphrase : Environment.GetEnvironmentVariable(KeyPassphrase.EnvironmentVariable);
        var trust = NetworkTrust.Load(Path.Combine(network, TreasuryNetwork.PublicFolder),
            new DeferredTimestampAuthority(() => throw new TimestampException("a replay asks no timestamps")));
        var opened = NodeBuilder.Build(new NodeOptions
        {
            Directory = folder,
            Party = party,
            Master = MasterData.FromJson(File.ReadAllText(Path.Combine(network, TreasuryNetwork.ManifestFile))),
            Clock = TimeProvider.System,
            Trust = trust,
            Transport = new NodeCommands.NoTransport(),
            Passphrase = () => passphrase ?? throw new KeyFileException(KeyFileFailure.PassphraseMissing, $"审计检查点需要节点私钥口令（{KeyPassphrase.EnvironmentVariable}）"),
            Random = new SecureRandom(),
        });
        using var signers = opened.Signers;
        using var session = opened.Library.Begin();
        var actor = $"{party} operator {Environment.UserName}";
        foreach (var letter in letters)
        {
            session.Audit(actor, "dead-letter-replayed", letter.MessageId ?? "?",
                $"from {RabbitTopology.DeadQueue(party)} to {RabbitTopology.InboxQueue(party)}: sender {letter.Sender}, {letter.Bytes} bytes, reason {letter.Reason}, replay {letter.Replays + 1}");
        }

        session.Commit();
    }

    private sealed record RecoveryRow(string BackupTakenAt, long PeersAnswered, long Returned, long Redone, string? Blocked);

    private static string StateOf(LinkRow r) => r switch
    {
        { Parked: > 0 } => "parked",
        { Backlog: > 0, Attempts: > 0 } => "retrying",
        { Backlog: > 0 } => "queued",
        _ => "ok",
    };

    private static string ChineseState(string state) => state switch
    {
        "parked" => "有搁置消息",
        "retrying" => "重试中",
        "queued" => "待投递",
        _ => "正常",
    };

    private static long? AgeSeconds(string? time, DateTimeOffset now) =>
        time is not null && DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? Math.Max(0, (long)(now - at).TotalSeconds) : null;

    private static string Time(DateTimeOffset? time) => time?.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "?";

    /// <summary>One receiver's outbox rows, summed (properties, not a constructor: SQLite types an all-NULL aggregate as it likes).</summary>
    private sealed class LinkRow
    {
        public string Peer { get; init; } = string.Empty;

        public long Backlog { get; init; }

        public long Parked { get; init; }

        public string? OldestUndelivered { get; init; }

        public long Attempts { get; init; }

        public string? LastDelivered { get; init; }

        public string? LastError { get; init; }
    }

    private sealed record Link(string Peer, string State, long Backlog, long Parked, long? OldestUndeliveredAgeSeconds, long Attempts, string? LastDelivered, string? LastError);
}
