using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OpenTreasury.Business;
using OpenTreasury.Desk;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;
using OpenTreasury.Node.Signing;
using OpenTreasury.Server;
using OpenTreasury.Simulation;
using OpenTreasury.Transport.Http;
using OpenTreasury.Transport.Rabbit;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Envelopes;
using OpenTreasury.Trust.Pki;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// <c>treasury serve --node DIR --transport rabbitmq --amqp URI</c>: one node alone, as <see cref="ServeCommand"/> serves it,
/// but sending through the broker (<see cref="RabbitTransport"/>) and receiving from its own quorum queue
/// (<see cref="RabbitInbox"/>) instead of <c>POST /node/inbox</c>. Its HTTP host keeps the library interface, the desks
/// and <c>GET /node/certificate</c> (so peers that fetch certificates find this node's).
/// </summary>
internal static class RabbitServe
{
    /// <summary>What the serve command checked already, and the broker.</summary>
    internal sealed record Request(
        string NodeDirectory, PartyId Party, string TrustDirectory, string MasterFile, PeerTable? Peers, string? PeerCertificates,
        Uri Tsa, string Url, bool Demo, bool RunWorker, string AgentUrl, Uri Amqp, Func<TreasuryNode, Action<WebApplication>>? Extend);

    /// <summary>How long a node waits at start for its inbox consumer before it says it cannot listen.</summary>
    private static readonly TimeSpan s_consumingWait = TimeSpan.FromSeconds(30);

    public static async Task<int> ServeAsync(Request request, Func<string, string, int> fail, CancellationToken cancellationToken)
    {
        var random = new SecureRandom();
        var master = MasterData.FromJson(File.ReadAllText(request.MasterFile));
        if (!master.Parties.Contains(request.Party))
        {
            return fail("NoNode", $"主数据 {request.MasterFile} 中没有 {request.Party}");
        }

        using var tsaClient = new HttpClient { Timeout = HttpTimestampAuthority.DefaultTimeout + TimeSpan.FromSeconds(5) };
        using var certificateClient = new HttpClient { Timeout = TimeSpan.FromSeconds(RabbitTopology.AnswerWaitSecondsMax) };
        TreasuryNode node;
        NodeEnvelopes envelopes;
        RabbitTransport transport;
        try
        {
            var passphrase = request.Demo ? TreasuryNetwork.DemoPassphrase : KeyPassphrase.Resolve(null, $"{request.Party} 节点私钥口令 key passphrase: ");
            NetworkTrust? trust = null;
            var tsa = new DeferredTimestampAuthority(() => new HttpTimestampAuthority(tsaClient, request.Tsa, trust!.TimestampVerifier, random));
            trust = NetworkTrust.Load(request.TrustDirectory, tsa);
            var key = NodeBuilder.Key(request.NodeDirectory, request.Party, () => passphrase);
            envelopes = new NodeEnvelopes(key.Credential, trust.Validator, TimeProvider.System, random); // decrypts the key now
            IPeerCertificates certificates = request.PeerCertificates is { } folder
                ? new PeerCertificateDirectory(folder)
                : new FetchedPeerCertificates(certificateClient, request.Peers!);
            transport = new RabbitTransport(envelopes, request.Amqp, certificates);
            var networkDirectory = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(request.NodeDirectory)) ?? request.NodeDirectory;
            node = NodeBuilder.Build(new NodeOptions
            {
                Directory = request.NodeDirectory,
                Party = request.Party,
                Master = master,
                Clock = TimeProvider.System,
                Trust = trust,
                Transport = transport,
                PeopleDirectory = request.Demo ? Path.Combine(networkDirectory, TreasuryNetwork.PeopleFolder, request.Party.ToString()) : null,
                Pins = request.Demo ? TreasuryNetwork.DemoPins : null,
                Passphrase = () => passphrase,
                Random = random,
                Key = key,
            });
        }
        catch (KeyFileException ex)
        {
            return fail("KeyPassphrase", ex.Message);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or DbException or FormatException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return fail("CannotOpen", $"无法打开节点 {request.NodeDirectory}：{ex.Message}");
        }

        await using var sending = transport;
        using var signers = node.Signers;
        var certificatePem = Pem.WriteCertificate(envelopes.Credential.Certificate);
        var extend = request.Extend?.Invoke(node);
        WebApplication app;
        try
        {
            app = NodeHost.Build(node, request.Url, new NodeHostOptions
            {
                RunWorker = request.RunWorker,
                Extend = host =>
                {
                    host.MapGet("/" + NodeHttp.CertificatePath, () => Results.Text(certificatePem, NodeHttp.CertificateMediaType));
                    extend?.Invoke(host);
                },
            }.WithDesks(new DeskOptions(request.AgentUrl)));
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            return fail("CannotListen", $"无法监听 {request.Url}：{ex.Message}");
        }

        await using var inbox = new RabbitInbox(node.Library, envelopes, request.Amqp, line => Console.Error.WriteLine($"  [rabbitmq] {line}"));
        inbox.Start();
        if (!await inbox.WaitUntilConsumingAsync(s_consumingWait).ConfigureAwait(false))
        {
            await app.DisposeAsync().ConfigureAwait(false);
            return fail("BrokerUnreachable", $"{s_consumingWait.TotalSeconds:F0} 秒内未能在 RabbitMQ 服务器 {RabbitTopology.Redacted(request.Amqp)} 上开始接收 {RabbitTopology.InboxQueue(request.Party)}");
        }

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ArgumentException or FormatException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            return fail("CannotListen", $"无法监听 {request.Url}：{ex.Message}");
        }

        Console.WriteLine($"{request.Party} {app.Urls.First()}");
        await Common.WaitForStopAsync(cancellationToken).ConfigureAwait(false);
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        return 0;
    }
}
