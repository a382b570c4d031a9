using Microsoft.AspNetCore.Builder;
using OpenTreasury.Business;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;
using OpenTreasury.Node.Signing;
using OpenTreasury.Transport.Http;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Envelopes;
using OpenTreasury.Trust.Pki;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Server.Standalone;

/// <summary>What one node alone on its machine reads: its folder, the public trust, the master data, its peers and the TSA.</summary>
public sealed record StandaloneNodeOptions
{
    /// <summary>The node's own folder (<c>library.db</c>, <c>keys/</c>).</summary>
    public required string NodeDirectory { get; init; }

    /// <summary>What the authority published (<c>public/</c>).</summary>
    public required string TrustDirectory { get; init; }

    /// <summary>The network's master data (<c>network.json</c>).</summary>
    public required string MasterDataFile { get; init; }

    /// <summary>Where every node listens, this one included.</summary>
    public required PeerTable Peers { get; init; }

    /// <summary>The authority's TSA endpoint (e.g. <c>http://host:5100/tsa</c>).</summary>
    public required Uri Tsa { get; init; }

    /// <summary>The people's USBKey files, only for a demo network; null for a real node.</summary>
    public string? PeopleDirectory { get; init; }

    public PinSource? Pins { get; init; }

    public required Func<string> Passphrase { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public SecureRandom Random { get; init; } = new();
}

/// <summary>
/// One node alone: composed by <see cref="NodeBuilder"/> from its own folder, sending over <see cref="HttpTransport"/>
/// to its peers, timestamping with the authority's TSA over HTTP, receiving at <c>POST /node/inbox</c>. Its key is
/// decrypted when it opens, so a wrong passphrase is known at once (<see cref="KeyFileException"/>).
/// </summary>
public sealed class StandaloneNode : IDisposable
{
    private readonly HttpClient _tsaClient;

    private StandaloneNode(TreasuryNode node, NodeEnvelopes envelopes, HttpTransport transport, HttpClient tsaClient)
    {
        Node = node;
        Envelopes = envelopes;
        Transport = transport;
        _tsaClient = tsaClient;
    }

    public TreasuryNode Node { get; }

    public NodeEnvelopes Envelopes { get; }

    public HttpTransport Transport { get; }

    public PartyId Party => Node.Party;

    /// <summary>
    /// The party whose node the folder is: the one whose institution certificate is in <c>keys/</c>; when the folder is
    /// named after a party (as <c>treasury network init</c> lays it out) the two must agree. Null with a Chinese reason
    /// when the folder is not one node's.
    /// </summary>
    public static PartyId? ReadParty(string nodeDirectory, out string problem)
    {
        ArgumentNullException.ThrowIfNull(nodeDirectory);
        var keys = Path.Combine(nodeDirectory, NodeBuilder.KeysFolder);
        var certificates = Directory.Exists(keys) ? Directory.GetFiles(keys, "*.crt.pem") : [];
        if (certificates.Length != 1)
        {
            problem = certificates.Length == 0 ? $"{keys} 中没有节点证书（*.crt.pem）" : $"{keys} 中有 {certificates.Length} 个证书，应只有本节点的一个";
            return null;
        }

        var certificateFile = certificates[0];
        Org.BouncyCastle.X509.X509Certificate certificate;
        try
        {
            certificate = Pem.ReadCertificate(File.ReadAllText(certificateFile));
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException or InvalidOperationException or ArgumentException or UnauthorizedAccessException or Org.BouncyCastle.Security.Certificates.CertificateException)
        {
            problem = $"节点证书 {certificateFile} 无法读取：{e.Message}";
            return null;
        }

        if (!CertificateIdentities.TryRead(certificate, out var identity) || identity.UserId is not null)
        {
            problem = $"{certificateFile} 不是机构证书";
            return null;
        }

        var party = identity.Party;
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(nodeDirectory)));
        if ((PartyId.TryParse(name, out var named) && named != party) || Path.GetFileName(certificateFile) != NodeCredential.CertificateFileName(party))
        {
            problem = $"{certificateFile} 是 {party} 的证书，与目录或文件名不符";
            return null;
        }

        problem = string.Empty;
        return party;
    }

    /// <summary>Opens the node; throws <see cref="KeyFileException"/> for a wrong passphrase, IO exceptions for missing files.</summary>
    public static StandaloneNode Open(StandaloneNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var party = ReadParty(options.NodeDirectory, out var problem) ?? throw new InvalidDataException(problem);
        var master = MasterData.FromJson(File.ReadAllText(options.MasterDataFile));
        if (!master.Parties.Contains(party))
        {
            throw new InvalidDataException($"主数据 {options.MasterDataFile} 中没有 {party}");
        }

        var tsaClient = new HttpClient { Timeout = HttpTimestampAuthority.DefaultTimeout + TimeSpan.FromSeconds(5) };
        try
        {
            NetworkTrust? trust = null;
            var tsa = new DeferredTimestampAuthority(() => new HttpTimestampAuthority(tsaClient, options.Tsa, trust!.TimestampVerifier, options.Random));
            trust = NetworkTrust.Load(options.TrustDirectory, tsa);
            var key = NodeBuilder.Key(options.NodeDirectory, party, options.Passphrase);
            var envelopes = new NodeEnvelopes(key.Credential, trust.Validator, options.Clock, options.Random); // decrypts the key now
            var transport = new HttpTransport(envelopes, options.Peers);
            var node = NodeBuilder.Build(new NodeOptions
            {
                Directory = options.NodeDirectory,
                Party = party,
                Master = master,
                Clock = options.Clock,
                Trust = trust,
                Transport = transport,
                PeopleDirectory = options.PeopleDirectory,
                Pins = options.Pins,
                Passphrase = options.Passphrase,
                Random = options.Random,
                Key = key,
            });
            return new StandaloneNode(node, envelopes, transport, tsaClient);
        }
        catch
        {
            tsaClient.Dispose();
            throw;
        }
    }

    /// <summary>The node's host (<see cref="NodeHost"/>) with its inbox mapped, then whatever <paramref name="options"/> extends.</summary>
    public WebApplication BuildHost(string url, NodeHostOptions? options = null)
    {
        options ??= new NodeHostOptions();
        var extend = options.Extend;
        return NodeHost.Build(Node, url, options with
        {
            Extend = app =>
            {
                app.MapNodeInbox(Node.Library, Envelopes);
                extend?.Invoke(app);
            },
        });
    }

    public void Dispose()
    {
        Node.Signers.Dispose();
        Transport.Dispose();
        _tsaClient.Dispose();
    }
}
