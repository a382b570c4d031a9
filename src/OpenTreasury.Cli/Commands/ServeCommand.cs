using System.CommandLine;
using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using OpenTreasury.Desk;
using OpenTreasury.Server;
using OpenTreasury.Server.Standalone;
using OpenTreasury.Simulation;
using OpenTreasury.Transport.Http;
using OpenTreasury.Trust.Certificates;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>treasury serve --data DIR [--port-base N]</c>: every node of the network in DIR serves its library
/// interface over HTTP on 127.0.0.1, one port each, with its worker delivering and handling vouchers; the
/// nodes still reach each other in-process. Prints <c>&lt;party&gt; &lt;base URL&gt;</c> per node once all
/// listen, and runs until Ctrl+C or SIGTERM.
/// <c>treasury serve --node DIR/&lt;party&gt; --urls URL --peers FILE --tsa URL</c>: one node alone, reaching the
/// others over HTTP (see <see cref="ServeNodeAsync"/>).
/// </summary>
internal static class ServeCommand
{
    /// <summary>Why serve could not start; stable codes in its one error line.</summary>
    private enum ServeError
    {
        None = 0,
        NoNetwork = 1,      // the folder is missing, empty, or holds no network.json
        CannotOpen = 2,     // the network is there but cannot be opened (e.g. made by an older build)
        CannotListen = 3,   // a port is taken or not allowed
        NoNode = 4,         // --node is missing, or is not one node's folder (library.db, keys/), or the public trust or master data is missing
        BadPeers = 5,       // --peers is missing, unreadable or not a peer table
        NoTsa = 6,          // --tsa is missing or not an http(s) URL
        KeyPassphrase = 7,  // the node's key cannot be decrypted (no or wrong passphrase)
        BadOptions = 8,     // --data and --node together, or an option that is not valid
    }

    public static Command Create()
    {
        var data = Common.DataOption(required: false);
        var portBase = new Option<int?>("--port-base") { Description = "With --data: the first port; the nodes listen on consecutive ports from it (any free port when omitted)" };
        var nodeOption = new Option<DirectoryInfo>("--node") { Description = "Serve this one node alone (DIR/<party>: its library.db and keys/), reaching the others over HTTP" };
        var urls = new Option<string>("--urls") { Description = "With --node: where it listens, e.g. http://127.0.0.1:5101 (default: its own address in the peers file)" };
        var peers = new Option<FileInfo>("--peers") { Description = "With --node: the peer table, JSON { \"finance\": \"http://127.0.0.1:5101\", ... }" };
        var tsa = new Option<string>("--tsa") { Description = "With --node: the authority's TSA, e.g. http://127.0.0.1:5100/tsa (`treasury authority serve`)" };
        var trust = new Option<DirectoryInfo>("--trust") { Description = "With --node: the public trust folder (default <node>/../public)" };
        var masterData = new Option<FileInfo>("--master-data") { Description = "With --node: the master data (default <node>/../network.json)" };
        var noWorker = new Option<bool>("--no-worker") { Description = "With --node: do not run the background worker (delivery and the desk)" };
        var peerCertificates = new Option<DirectoryInfo>("--peer-certificates") { Description = "With --node and --transport rabbitmq: a folder of the peers' institution certificates (<party>.crt.pem); without it they are fetched from the peers' GET /node/certificate (--peers)" };
        var transports = new TransportOptions();
        var agent = new Option<string>("--agent") { Description = "With --node: where its people's support control (treasury agent) listens on their own machines, for the desks at /desk", DefaultValueFactory = _ => DeskOptions.DefaultAgentUrl };
        var command = new Command(
            "serve",
            "Serve node libraries over HTTP (login with USBKeys, OpenAPI at /openapi/v1.json, reference at /scalar/v1). "
            + "--data DIR: every node in one process on 127.0.0.1, reaching each other in-process. "
            + "--node DIR/<party>: one node alone, over HTTP to its peers and the TSA; the key's passphrase from "
            + KeyPassphrase.EnvironmentVariable + " or a prompt. Only for a demo network (DEMO-NETWORK.txt beside the node) it also opens "
            + "the demo people's USBKeys in <node>/../people/<party>/ with the demo PINs, so its desks can act as the demo's people; a real node holds no person's key. "
            + "--node with --transport rabbitmq --amqp URI: the node sends and receives through the broker (queue ot.<party>.inbox) instead of POST /node/inbox. "
            + TransportOptions.ExitCodesHelp)
        {
            data, portBase, nodeOption, urls, peers, tsa, trust, masterData, noWorker, agent, peerCertificates,
        };
        transports.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var folder = result.GetValue(data);
            var first = result.GetValue(portBase);
            if (result.GetValue(nodeOption) is { } nodeFolder)
            {
                if (folder is not null || first is not null)
                {
                    return Fail(ServeError.BadOptions, "--node 与 --data/--port-base 不能同时使用");
                }

                if (!transports.TryRead(result, out var amqp, out var transportFailure))
                {
                    return transportFailure;
                }

                var driver = DemoDriverEndpoint(nodeFolder);
                return await ServeNodeAsync(
                    new NodeRequest(nodeFolder, result.GetValue(urls), result.GetValue(peers), result.GetValue(tsa), result.GetValue(trust), result.GetValue(masterData), !result.GetValue(noWorker), result.GetValue(agent)!)
                    {
                        Amqp = amqp,
                        PeerCertificates = result.GetValue(peerCertificates),
                        Driver = driver,
                    },
                    cancellationToken,
                    driver is null ? null : alone => driver(alone.Node)).ConfigureAwait(false);
            }

            if (result.GetValue(transports.Transport) != "http" || result.GetValue(transports.Amqp) is not null || result.GetValue(peerCertificates) is not null)
            {
                return TransportOptions.BadOptions("--transport rabbitmq、--amqp 与 --peer-certificates 只用于 --node（单个节点）", "--transport, --amqp and --peer-certificates go with --node");
            }
            var sample = folder is null;
            var directory = folder?.FullName ?? ServeDesks.SampleFolder();
            if (sample)
            {
                // `treasury serve` alone: the sample network, made with a few days of business on first start.
                first ??= ServeDesks.SamplePortBase;
                await ServeDesks.EnsureSampleAsync(directory, cancellationToken).ConfigureAwait(false);
            }
            else if (!TreasuryNetwork.Exists(directory))
            {
                return Fail(ServeError.NoNetwork, $"目录 {directory} 中没有凭证网络；请先运行 treasury demo --data <目录> 建立网络，或不带 --data 运行 treasury serve 使用示例网络");
            }

            if (first is < 1 or > 65_000)
            {
                return Fail(ServeError.CannotListen, $"端口 {first} 无效；--port-base 取 1–65000");
            }

            TreasuryNetwork network;
            try
            {
                network = TreasuryNetwork.Open(directory, TimeProvider.System, TreasuryNetwork.DemoPins);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or DbException or FormatException)
            {
                return Fail(ServeError.CannotOpen, $"无法打开 {directory} 中的网络：{ex.Message}");
            }

            using (network)
            {
                IReadOnlyList<WebApplication> apps;
                try
                {
                    apps = await ServeDesks.StartAsync(network, directory, first, sample ? ServeDesks.SampleAgentPortBase : null, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    return Fail(ServeError.CannotListen, $"无法监听端口：{ex.Message}");
                }

                // Until Ctrl+C or SIGTERM, then stop every host gracefully below.
                await Common.WaitForStopAsync(cancellationToken).ConfigureAwait(false);

                await StopAsync(apps).ConfigureAwait(false);
                return 0;
            }
        });
        return command;
    }

    internal sealed record NodeRequest(DirectoryInfo Node, string? Urls, FileInfo? Peers, string? Tsa, DirectoryInfo? Trust, FileInfo? MasterData, bool RunWorker, string AgentUrl)
    {
        /// <summary>The broker with <c>--transport rabbitmq</c>; null for HTTP.</summary>
        public Uri? Amqp { get; init; }

        /// <summary>With the broker: the peers' certificates from this folder instead of from their <c>GET /node/certificate</c>.</summary>
        public DirectoryInfo? PeerCertificates { get; init; }

        /// <summary>The demo driver's endpoint, for a node that is not served by <see cref="StandaloneNode"/> (RabbitMQ).</summary>
        public Func<OpenTreasury.Business.TreasuryNode, Action<WebApplication>>? Driver { get; init; }
    }

    /// <summary>
    /// One node alone. It reads its own folder, the public trust, the master data and the peers file, and — only
    /// for a demo network — the demo people's USBKeys beside it; it sends with <see cref="HttpTransport"/>, asks the
    /// TSA at <c>--tsa</c> over HTTP and receives at <c>POST /node/inbox</c>. Prints <c>&lt;party&gt; &lt;base URL&gt;</c>.
    /// <paramref name="extend"/> gets the opened node and may map more endpoints on its host (a demo driver).
    /// </summary>
    /// <summary>
    /// A demo node started by <c>treasury demo --processes</c> (a demo network, and the run's token in the environment)
    /// also takes the driver's steps at <c>/demo/action</c>; any other node does not have that endpoint.
    /// </summary>
    private static Func<OpenTreasury.Business.TreasuryNode, Action<WebApplication>>? DemoDriverEndpoint(DirectoryInfo nodeFolder)
    {
        var network = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(nodeFolder.FullName));
        var token = Environment.GetEnvironmentVariable(Simulation.Demo.DemoNodeEndpoints.TokenVariable);
        if (network is null || !TreasuryNetwork.IsDemo(network) || string.IsNullOrEmpty(token))
        {
            return null;
        }

        return node => app => Simulation.Demo.DemoNodeEndpoints.Map(app, node, token);
    }

    internal static async Task<int> ServeNodeAsync(NodeRequest request, CancellationToken cancellationToken, Func<StandaloneNode, Action<WebApplication>>? extend = null)
    {
        var nodeDirectory = request.Node.FullName;
        var networkDirectory = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(nodeDirectory)) ?? nodeDirectory;
        // A node's store is its library.db, or the PostgreSQL schema its store.json names (ADR 0011).
        if (!Directory.Exists(nodeDirectory) || (!File.Exists(Path.Combine(nodeDirectory, OpenTreasury.Business.NodeBuilder.LibraryFile))
            && !File.Exists(Path.Combine(nodeDirectory, OpenTreasury.Node.Storage.PostgresStore.ConfigFile))))
        {
            return Fail(ServeError.NoNode, $"目录 {nodeDirectory} 不是节点目录（缺少 library.db 或 store.json）");
        }

        if (StandaloneNode.ReadParty(nodeDirectory, out var problem) is not { } party)
        {
            return Fail(ServeError.NoNode, problem);
        }

        var trustDirectory = request.Trust?.FullName ?? Path.Combine(networkDirectory, TreasuryNetwork.PublicFolder);
        if (!Directory.Exists(trustDirectory))
        {
            return Fail(ServeError.NoNode, $"公共信任目录 {trustDirectory} 不存在；请用 --trust 指定（从认证机构复制 public/）");
        }

        var masterFile = request.MasterData?.FullName ?? Path.Combine(networkDirectory, TreasuryNetwork.ManifestFile);
        if (!File.Exists(masterFile))
        {
            return Fail(ServeError.NoNode, $"主数据文件 {masterFile} 不存在；请用 --master-data 指定");
        }

        // Over RabbitMQ with the peers' certificates in a folder, a node needs no peer table (only its own --urls).
        var peersOptional = request.Amqp is not null && request.PeerCertificates is not null;
        if (request.PeerCertificates is { Exists: false } missingCertificates)
        {
            return Fail(ServeError.BadPeers, $"对方节点证书目录 {missingCertificates.FullName} 不存在");
        }

        if ((request.Peers is null && !peersOptional) || request.Peers is { Exists: false })
        {
            return Fail(ServeError.BadPeers, $"节点地址表 {request.Peers?.FullName ?? "(未指定 --peers)"} 不存在");
        }

        PeerTable? peerTable = null;
        try
        {
            peerTable = request.Peers is null ? null : PeerTable.Load(request.Peers.FullName);
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            return Fail(ServeError.BadPeers, $"节点地址表 {request.Peers!.FullName} 无效：{ex.Message}");
        }

        if (request.Tsa is null || !Uri.TryCreate(request.Tsa, UriKind.Absolute, out var tsaUri) || (tsaUri.Scheme != Uri.UriSchemeHttp && tsaUri.Scheme != Uri.UriSchemeHttps))
        {
            return Fail(ServeError.NoTsa, $"时间戳服务地址 {request.Tsa ?? "(未指定 --tsa)"} 无效；请用 --tsa 指定认证机构的时间戳服务，例如 http://127.0.0.1:5100/tsa");
        }

        var url = request.Urls ?? (peerTable is not null && peerTable.TryGetAddress(party, out var own) ? own.GetLeftPart(UriPartial.Authority) : null);
        if (url is null)
        {
            return Fail(ServeError.CannotListen, $"未指定 --urls，节点地址表中也没有 {party} 的地址");
        }

        var demo = TreasuryNetwork.IsDemo(networkDirectory);
        if (request.Amqp is { } amqp)
        {
            return await RabbitServe.ServeAsync(
                new RabbitServe.Request(nodeDirectory, party, trustDirectory, masterFile, peerTable, request.PeerCertificates?.FullName, tsaUri, url, demo, request.RunWorker, request.AgentUrl, amqp, request.Driver),
                (error, message) => error == "BrokerUnreachable"
                    ? Report.Fail(new("AMQP-2", Exit.Environment, message, "the node could not start consuming its inbox queue on the broker"))
                    : Fail(Enum.Parse<ServeError>(error), message),
                cancellationToken).ConfigureAwait(false);
        }

        StandaloneNode alone;
        try
        {
            var passphrase = demo ? TreasuryNetwork.DemoPassphrase : KeyPassphrase.Resolve(null, $"{party} 节点私钥口令 key passphrase: ");
            alone = StandaloneNode.Open(new StandaloneNodeOptions
            {
                NodeDirectory = nodeDirectory,
                TrustDirectory = trustDirectory,
                MasterDataFile = masterFile,
                Peers = peerTable!,
                Tsa = tsaUri,
                PeopleDirectory = demo ? Path.Combine(networkDirectory, TreasuryNetwork.PeopleFolder, party.ToString()) : null,
                Pins = demo ? TreasuryNetwork.DemoPins : null,
                Passphrase = () => passphrase,
            });
        }
        catch (KeyFileException ex)
        {
            return Fail(ServeError.KeyPassphrase, ex.Message);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or DbException or FormatException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return Fail(ServeError.CannotOpen, $"无法打开节点 {nodeDirectory}：{ex.Message}");
        }

        using (alone)
        {
            WebApplication app;
            try
            {
                app = alone.BuildHost(url, new NodeHostOptions { RunWorker = request.RunWorker, Extend = extend?.Invoke(alone) }.WithDesks(new DeskOptions(request.AgentUrl)));
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
            {
                return Fail(ServeError.CannotListen, $"无法监听 {url}：{ex.Message}");
            }

            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or ArgumentException or FormatException)
            {
                await app.DisposeAsync().ConfigureAwait(false);
                return Fail(ServeError.CannotListen, $"无法监听 {url}：{ex.Message}");
            }

            Console.WriteLine($"{party} {app.Urls.First()}");
            // Until Ctrl+C or SIGTERM, then stop the host gracefully below (the worker ends its pass).
            await Common.WaitForStopAsync(cancellationToken).ConfigureAwait(false);

            await StopAsync([app]).ConfigureAwait(false);
            return 0;
        }
    }

    internal static async Task StopAsync(IEnumerable<WebApplication> apps)
    {
        foreach (var app in apps)
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static int Fail(ServeError error, string message) =>
        Report.BadInput($"{error}-{(int)error}", message, error.ToString());
}
