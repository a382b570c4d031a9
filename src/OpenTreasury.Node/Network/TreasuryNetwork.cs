using Dapper;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Signing;
using OpenTreasury.Node.Storage;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Signatures;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Node.Network;

/// <summary>
/// A whole network in one folder and one process (the embedded default): the CA, one node per
/// party with its own SQLite library and key, and the in-process transport between them.
/// Layout: <c>network.json</c> (master data, written last), <c>ca/</c>, and per party
/// <c>&lt;party&gt;/library.db</c> and <c>&lt;party&gt;/keys/</c>.
/// </summary>
public sealed class TreasuryNetwork
{
    public const string ManifestFile = "network.json";
    private static readonly TimeSpan NodeCertificateValidity = TimeSpan.FromDays(3 * 365);

    private TreasuryNetwork(string directory, MasterData master, CertificateAuthorityInfo ca, IReadOnlyDictionary<PartyId, TreasuryNode> nodes, InProcessTransport transport)
    {
        Directory = directory;
        Master = master;
        Ca = ca;
        Nodes = nodes;
        Transport = transport;
    }

    public string Directory { get; }

    public MasterData Master { get; }

    public CertificateAuthorityInfo Ca { get; }

    public IReadOnlyDictionary<PartyId, TreasuryNode> Nodes { get; }

    public InProcessTransport Transport { get; }

    public TreasuryNode Finance => Nodes[PartyId.Finance];

    public TreasuryNode Pboc => Nodes[PartyId.Pboc];

    public TreasuryNode Bank(string code) => Nodes[PartyId.Parse($"bank-{code}")];

    public IEnumerable<TreasuryNode> Banks => Nodes.Values.Where(n => n.Party.Kind == PartyKind.Bank);

    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, ManifestFile));

    /// <summary>Opens the network in <paramref name="directory"/>, creating it first when it is not there.</summary>
    public static TreasuryNetwork OpenOrCreate(string directory, Func<MasterData> master, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(master);
        if (!Exists(directory))
        {
            Create(directory, master(), clock);
        }

        return Open(directory, clock);
    }

    /// <summary>
    /// Makes the CA, each node's key and certificate, each node's database and users. The manifest
    /// is written last, so a crash half-way leaves no manifest and the next run starts afresh.
    /// </summary>
    public static void Create(string directory, MasterData master, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(clock);
        if (Exists(directory))
        {
            throw new InvalidOperationException($"{directory} already holds a network");
        }

        System.IO.Directory.CreateDirectory(directory);
        foreach (var leftover in master.Parties.Select(p => p.ToString()).Append("ca"))
        {
            var path = Path.Combine(directory, leftover);
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true); // Left by a creation that did not finish.
            }
        }

        var random = new SecureRandom();
        var now = clock.GetUtcNow();
        var ca = CertificateAuthority.Create($"OpenTreasury {master.AdmDivCode}", now, random);
        ca.Save(Path.Combine(directory, "ca"));
        foreach (var party in master.Parties)
        {
            var partyDirectory = Path.Combine(directory, party.ToString());
            var credential = ca.IssueNodeCredential(party, master.OrganisationName(party), now, NodeCertificateValidity);
            credential.Save(Path.Combine(partyDirectory, "keys"));
            var database = NodeDatabase.Open(Path.Combine(partyDirectory, "library.db"));
            using var connection = database.Connect();
            using var tx = connection.BeginTransaction();
            foreach (var user in master.Users.Where(u => u.Party == party.ToString()))
            {
                connection.Execute("INSERT INTO users (id, name, role, agency_code) VALUES (@Id, @Name, @Role, @AgencyCode)", user, tx);
            }

            Audit.AuditLog.Append(connection, tx, now, "system", "node-created", party.ToString(), $"certificate serial {credential.Certificate.SerialNumber.ToString(16)}");
            tx.Commit();
        }

        File.WriteAllText(Path.Combine(directory, ManifestFile + ".tmp"), master.ToJson());
        File.Move(Path.Combine(directory, ManifestFile + ".tmp"), Path.Combine(directory, ManifestFile), overwrite: true);
    }

    public static TreasuryNetwork Open(string directory, TimeProvider clock)
    {
        if (!Exists(directory))
        {
            throw new DirectoryNotFoundException($"{directory} holds no network (no {ManifestFile}); run `treasury demo --data {directory}` to make one");
        }

        var master = MasterData.FromJson(File.ReadAllText(Path.Combine(directory, ManifestFile)));
        var caCertificate = Pem.ReadCertificate(File.ReadAllText(Path.Combine(directory, "ca", CertificateAuthority.CertificateFileName)));
        var verifier = new SignatureVerifier(caCertificate);
        var transport = new InProcessTransport();
        var random = new SecureRandom();
        var nodes = new Dictionary<PartyId, TreasuryNode>();
        foreach (var party in master.Parties)
        {
            var partyDirectory = Path.Combine(directory, party.ToString());
            var credential = NodeCredential.Load(Path.Combine(partyDirectory, "keys"), party);
            var library = new VoucherLibrary(NodeDatabase.Open(Path.Combine(partyDirectory, "library.db")), new NodeSigning(credential, verifier, random), clock);
            transport.Register(library);
            nodes[party] = new TreasuryNode(library, transport, master, clock);
        }

        return new TreasuryNetwork(directory, master, new CertificateAuthorityInfo(caCertificate), nodes, transport);
    }

    /// <summary>Delivers messages between the nodes until none is due; returns how many were delivered.</summary>
    public async Task<int> SettleAsync(CancellationToken cancellationToken = default)
    {
        var total = 0;
        for (var round = 0; round < 1_000; round++)
        {
            var delivered = 0;
            foreach (var node in Nodes.Values)
            {
                delivered += await node.Worker.DeliverDueAsync(cancellationToken).ConfigureAwait(false);
            }

            total += delivered;
            if (delivered == 0)
            {
                return total;
            }
        }

        throw new InvalidOperationException("the network did not settle after 1000 delivery rounds");
    }
}

/// <summary>The network's trust anchor as the hosts need it.</summary>
public sealed record CertificateAuthorityInfo(Org.BouncyCastle.X509.X509Certificate Certificate);
