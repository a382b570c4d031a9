using Dapper;
using OpenTreasury.Authority;
using OpenTreasury.Business;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;
using OpenTreasury.Node.Seals;
using OpenTreasury.Node.Signing;
using OpenTreasury.Node.Storage;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Simulation;

/// <summary>
/// A whole network in one folder and one process (the embedded default), laid out as the parties would hold it
/// on their own machines:
/// <c>authority/</c> (root and issuing CA, TSA, seal maker — the authority's keys, no node's),
/// <c>public/</c> (what the authority publishes: CA certificates, CRLs, the TSA's and the seal maker's certificates),
/// <c>&lt;party&gt;/</c> for each node (its <c>library.db</c> and its own institution key in <c>keys/</c>), and
/// <c>people/&lt;party&gt;/</c> (each person's USBKey file, which is the person's, not the node's). Every private key
/// file is encrypted PKCS#8 with mode 0600. <c>network.json</c> (the master data) is written last.
/// </summary>
public sealed class TreasuryNetwork : IDisposable
{
    public const string ManifestFile = "network.json";
    public const string AuthorityFolder = "authority";
    public const string PublicFolder = "public";
    public const string PeopleFolder = "people";

    /// <summary>Marks a demo network, whose keys are encrypted under the published <see cref="DemoPassphrase"/>.</summary>
    public const string DemoMarkerFile = "DEMO-NETWORK.txt";

    /// <summary>The passphrase of a demo network's keys (printed by the demo; a real network's comes from its operators).</summary>
    public const string DemoPassphrase = "demo-passphrase-8888";

    /// <summary>PBKDF2 iterations for a demo network: its passphrase is public, so a high count would only cost time.</summary>
    public const int DemoKeyIterations = 2048;

    private readonly TimeProvider _clock;
    private readonly Lazy<NetworkAuthority> _authority;
    private readonly Lazy<SealAdministration> _seals;
    private readonly PinSource? _pins;
    private readonly Func<string> _passphrase;
    private readonly SecureRandom _random;

    private TreasuryNetwork(string directory, MasterData master, NetworkTrust trust, IReadOnlyDictionary<PartyId, TreasuryNode> nodes, InProcessTransport transport, Lazy<NetworkAuthority> authority, TimeProvider clock, SecureRandom random, PinSource? pins, Func<string> passphrase)
    {
        _clock = clock;
        _pins = pins;
        _passphrase = passphrase;
        _random = random;
        _authority = authority;
        Directory = directory;
        Master = master;
        Trust = trust;
        Nodes = nodes;
        Transport = transport;
        _seals = new(() => new SealAdministration([.. nodes.Values.Select(n => n.Library)], authority.Value.SealMaker, Path.Combine(directory, PublicFolder), clock, random));
    }

    public string Directory { get; }

    public MasterData Master { get; }

    /// <summary>The public trust every node reads (no private key of the CA or TSA).</summary>
    public NetworkTrust Trust { get; }

    /// <summary>The authority this embedded host also runs (its keys are decrypted on first use).</summary>
    public NetworkAuthority Authority => _authority.Value;

    public IReadOnlyDictionary<PartyId, TreasuryNode> Nodes { get; }

    public InProcessTransport Transport { get; }

    /// <summary>Seal administration, done with the authority's seal-maker key.</summary>
    public SealAdministration Seals => _seals.Value;

    public string PublicDirectory => Path.Combine(Directory, PublicFolder);

    public TreasuryNode Finance => Nodes[PartyId.Finance];

    public TreasuryNode Pboc => Nodes[PartyId.Pboc];

    public TreasuryNode Bank(string code) => Nodes[PartyId.Parse($"bank-{code}")];

    public IEnumerable<TreasuryNode> Banks => Nodes.Values.Where(n => n.Party.Kind == PartyKind.Bank);

    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, ManifestFile));

    public static bool IsDemo(string directory) => File.Exists(Path.Combine(directory, DemoMarkerFile));

    /// <summary>Opens the demo network in <paramref name="directory"/>, creating it first when it is not there.</summary>
    /// <remarks><paramref name="postgres"/>: where a new network's stores go (see <see cref="Create"/>); an existing network keeps its own.</remarks>
    public static TreasuryNetwork OpenOrCreate(string directory, Func<MasterData> master, TimeProvider clock, PinSource? pins = null, string? postgres = null)
    {
        ArgumentNullException.ThrowIfNull(master);
        if (!Exists(directory))
        {
            Create(directory, master(), clock, demo: true, DemoPassphrase, postgres: postgres);
        }

        return Open(directory, clock, pins);
    }

    /// <summary>The demo's people, logged in with the demo PIN of every demo USBKey (demo and tests only).</summary>
    public static PinSource DemoPins { get; } = (_, _) => MasterData.DemoPinOfEveryToken;

    /// <summary>
    /// Makes the authority (CA, TSA, seal maker), publishes its public side, then for each node a key pair whose
    /// certificate the authority issues from the node's request, and its database; every person with a USBKey
    /// (certified from the token's request) and a personal seal, and the public seals granted to their posts. The
    /// manifest is written last, so a crash half-way leaves no manifest and the next run starts afresh.
    /// </summary>
    /// <remarks><paramref name="random"/> makes the keys (a fresh <see cref="SecureRandom"/> when null; the deterministic simulation passes a seeded one).</remarks>
    /// <remarks>
    /// <paramref name="postgres"/>, when given, is a PostgreSQL database in which each node gets a schema of its own
    /// (<c>n&lt;network&gt;_&lt;party&gt;</c>, named in the node's <see cref="PostgresStore.ConfigFile"/>); otherwise each node's
    /// store is the SQLite file in its folder.
    /// </remarks>
    /// <remarks>
    /// <paramref name="environment"/>: <see cref="NetworkEnvironment.Sandbox"/> makes a test network (测试环境): its CA's names carry
    /// 测试环境, so production nodes refuse its messages and stamps by that code, and it refuses theirs.
    /// </remarks>
    public static void Create(string directory, MasterData master, TimeProvider clock, bool demo, string passphrase, SecureRandom? random = null, string? postgres = null, NetworkEnvironment environment = NetworkEnvironment.Production)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(clock);
        if (Exists(directory))
        {
            throw new InvalidOperationException($"{directory} already holds a network");
        }

        System.IO.Directory.CreateDirectory(directory);
        foreach (var leftover in master.Parties.Select(p => p.ToString()).Concat([AuthorityFolder, PublicFolder, PeopleFolder]))
        {
            var path = Path.Combine(directory, leftover);
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true); // Left by a creation that did not finish.
            }
        }

        var iterations = demo ? DemoKeyIterations : EncryptedKeyFile.Iterations;
        if (demo)
        {
            File.WriteAllText(Path.Combine(directory, DemoMarkerFile), $"A demo network: every private key here is encrypted under the published demo passphrase '{DemoPassphrase}'. Never use it for real money.\n");
        }

        random ??= new SecureRandom();
        // Only a PostgreSQL network draws its name, so a seeded SQLite network makes the same keys as before.
        var networkId = postgres is null ? string.Empty : Convert.ToHexStringLower(SecureRandom.GetNextBytes(random, 4));
        var authority = NetworkAuthority.Create(Path.Combine(directory, AuthorityFolder), $"OpenTreasury {master.AdmDivCode}", master.FinanceName, passphrase, iterations, clock, random, environment);
        authority.Publish(Path.Combine(directory, PublicFolder));
        foreach (var party in master.Parties)
        {
            // The node makes its key and asks for a certificate; only the certificate comes back from the authority.
            var keys = Sm2.GenerateKeyPair(random);
            var request = Csr.ForInstitution(party, master.OrganisationName(party), keys.Private, random);
            var certificate = authority.IssueInstitution(request, party, master.OrganisationName(party));
            new NodeCredential(party, certificate, keys.Private).Save(Path.Combine(directory, party.ToString(), "keys"), passphrase, random, iterations);
            var nodeDirectory = Path.Combine(directory, party.ToString());
            if (postgres is not null)
            {
                new PostgresStore(postgres, PostgresStore.SchemaOf(networkId, party.ToString())).Write(nodeDirectory);
            }

            var database = NodeDatabase.OpenNode(nodeDirectory);
            using var connection = database.Connect();
            using var tx = database.BeginWrite(connection);
            Node.Audit.AuditLog.Append(connection, tx, clock.GetUtcNow(), "system", "node-created", party.ToString(), $"institution certificate {certificate.SerialNumber.ToString(16)}");
            tx.Commit();
        }

        using (var network = Load(directory, master, clock, null, new Lazy<NetworkAuthority>(authority), () => passphrase, random))
        {
            foreach (var user in master.Users)
            {
                var node = network.Nodes[PartyId.Parse(user.Party)];
                var added = network.AddUser(node, user.Id, user.Name, user.Role, user.AgencyCode, user.AdmDivCode, master.DemoPin, master.DemoAdminPin);
                if (!added.Ok)
                {
                    throw new InvalidOperationException($"could not add {user.Id}: {added.Message}");
                }
            }

            network.MakeDemoSeals();
        }

        File.WriteAllText(Path.Combine(directory, ManifestFile + ".tmp"), master.ToJson());
        File.Move(Path.Combine(directory, ManifestFile + ".tmp"), Path.Combine(directory, ManifestFile), overwrite: true);
    }

    /// <summary>
    /// Opens a network. The desks work only with people logged in on their USBKeys: <paramref name="pins"/>
    /// gives a person's PIN when a desk needs them (the demo passes <see cref="DemoPins"/>); without it
    /// the desks cannot stamp, and reading, verifying and administration still work. The keys are decrypted when
    /// first used, with <paramref name="passphrase"/> (a demo network's is <see cref="DemoPassphrase"/>; otherwise the
    /// environment variable or a prompt, see <see cref="KeyPassphrase"/>).
    /// </summary>
    /// <remarks>
    /// <paramref name="random"/> is what the nodes sign with (a fresh <see cref="SecureRandom"/> when null; the
    /// deterministic simulation passes a seeded one, so a run replays byte for byte).
    /// </remarks>
    public static TreasuryNetwork Open(string directory, TimeProvider clock, PinSource? pins = null, Func<string>? passphrase = null, SecureRandom? random = null)
    {
        if (!Exists(directory))
        {
            throw new DirectoryNotFoundException($"{directory} holds no network (no {ManifestFile}); run `treasury network init --data {directory}` or `treasury demo --data {directory}` to make one");
        }

        var master = MasterData.FromJson(File.ReadAllText(Path.Combine(directory, ManifestFile)));
        var secret = new Lazy<string>(passphrase ?? (() => IsDemo(directory) ? DemoPassphrase : KeyPassphrase.Resolve(null, "私钥口令 key passphrase: ")));
        var authority = new Lazy<NetworkAuthority>(() => NetworkAuthority.Load(Path.Combine(directory, AuthorityFolder), secret.Value, clock, random ?? new SecureRandom()));
        return Load(directory, master, clock, pins, authority, () => secret.Value, random ?? new SecureRandom());
    }

    private static TreasuryNetwork Load(string directory, MasterData master, TimeProvider clock, PinSource? pins, Lazy<NetworkAuthority> authority, Func<string> passphrase, SecureRandom random)
    {
        var publicDirectory = Path.Combine(directory, PublicFolder);
        var trust = NetworkTrust.Load(publicDirectory, new DeferredTimestampAuthority(() => authority.Value.Timestamps));
        var transport = new InProcessTransport();
        var nodes = new Dictionary<PartyId, TreasuryNode>();
        foreach (var party in master.Parties)
        {
            var node = BuildNode(directory, party, master, clock, trust, transport, pins, passphrase, random);
            transport.Register(node.Library);
            nodes[party] = node;
        }

        return new TreasuryNetwork(directory, master, trust, nodes, transport, authority, clock, random, pins, passphrase);
    }

    /// <summary>
    /// A new object of one party's node, opened afresh from its folder (its <c>library.db</c> and key), with this network's
    /// trust, clock, PINs and randomness but <paramref name="transport"/> of the caller's: how the deterministic simulation
    /// restarts a node after a crash. <see cref="Nodes"/> does not see it; dispose its <see cref="TreasuryNode.Signers"/> when done.
    /// </summary>
    public TreasuryNode OpenNode(PartyId party, ITransport transport) =>
        BuildNode(Directory, party, Master, _clock, Trust, transport, _pins, _passphrase, _random);

    private static TreasuryNode BuildNode(string directory, PartyId party, MasterData master, TimeProvider clock, NetworkTrust trust, ITransport transport, PinSource? pins, Func<string> passphrase, SecureRandom random) =>
        NodeBuilder.Build(new NodeOptions
        {
            Directory = Path.Combine(directory, party.ToString()),
            Party = party,
            Master = master,
            Clock = clock,
            Trust = trust,
            Transport = transport,
            PeopleDirectory = Path.Combine(directory, PeopleFolder, party.ToString()),
            Pins = pins,
            Passphrase = passphrase,
            Random = random,
        });

    /// <summary>
    /// Adds a person to a node: their USBKey makes the key, the authority certifies the token's request. A person of one
    /// division (<paramref name="admDivCode"/>, null for the whole node) is refused unless the network serves it and,
    /// for a unit's person, it is the unit's.
    /// </summary>
    public UserResult AddUser(TreasuryNode node, string userId, string name, string post, string? agencyCode, string? admDivCode, string pin, string adminPin)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (Master.PersonDivisionRefusal(agencyCode, admDivCode) is { } refusal)
        {
            return new(admDivCode is not null && !Master.Serves(admDivCode) ? UserRejection.UnknownDivision : UserRejection.InvalidInput, refusal, Subject: refusal);
        }

        return node.Users.Add(request => Authority.IssuePerson(request, node.Party, userId, name, post, OrganisationOf(node.Party, admDivCode)), userId, name, post, agencyCode, admDivCode, pin, adminPin);
    }

    /// <summary>The organisation a person of <paramref name="party"/> works for: a division's own Finance person's is their division's bureau (瑞丽市财政局).</summary>
    private string OrganisationOf(PartyId party, string? admDivCode) =>
        admDivCode is not null && party.Kind == PartyKind.Finance ? Master.Division(admDivCode).FinanceName : Master.OrganisationName(party);

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

    /// <summary>Delivers everything due and lets every desk handle what arrived, until the network is quiet.</summary>
    public async Task SettleAndProcessAsync(DateOnly businessDate, CancellationToken cancellationToken = default)
    {
        for (var round = 0; round < 100; round++)
        {
            var delivered = await SettleAsync(cancellationToken).ConfigureAwait(false);
            var handled = 0;
            foreach (var node in Nodes.Values)
            {
                handled += await node.ProcessAsync(businessDate, cancellationToken).ConfigureAwait(false);
            }

            if (delivered == 0 && handled == 0)
            {
                return;
            }
        }

        throw new InvalidOperationException("the network did not come to rest after 100 rounds");
    }

    public void Dispose()
    {
        foreach (var node in Nodes.Values)
        {
            node.Signers.Dispose();
        }
    }

    /// <summary>
    /// The demo's seals: a personal seal for every person; for every unit its 财务专用章 and 法人章
    /// (granted to its finance head); Finance's 国库业务专用章; PBOC's and each bank's 业务专用章 and 转讫章.
    /// </summary>
    private void MakeDemoSeals()
    {
        var now = _clock.GetUtcNow();
        foreach (var node in Nodes.Values)
        {
            var organisation = Master.OrganisationName(node.Party);
            var institution = node.Library.Signing.Certificate;
            foreach (var user in node.Users.List())
            {
                MakePersonalSeal(node, user.Id);
            }

            switch (node.Party.Kind)
            {
                case PartyKind.Finance:
                    Seals.Make(new SealOrder(node.Party, null, SealType.BusinessSeal, organisation, "国库业务专用章", null, institution, ["国库股审核"]), now);
                    // Each other division's 财政局 holds its own 业务专用章 (the home division's is the node's own).
                    foreach (var division in Master.OtherDivisions)
                    {
                        Seals.Make(new SealOrder(node.Party, null, SealType.BusinessSeal, division.FinanceName, "国库业务专用章", null, institution, ["国库股审核"], division.AdmDivCode), now);
                    }

                    foreach (var unit in Master.Units)
                    {
                        Seals.Make(new SealOrder(node.Party, unit.AgencyCode, SealType.FinanceSeal, unit.Name, "财务专用章", null, institution, ["单位财务负责人"]), now);
                        Seals.Make(new SealOrder(node.Party, unit.AgencyCode, SealType.LegalPerson, unit.Name, unit.LegalPerson, null, institution, ["单位财务负责人"]), now);
                    }

                    break;
                case PartyKind.Pboc:
                    Seals.Make(new SealOrder(node.Party, null, SealType.BusinessSeal, organisation, "业务专用章", null, institution, ["复核员"]), now);
                    Seals.Make(new SealOrder(node.Party, null, SealType.TransferSeal, organisation, "转讫章", null, institution, ["复核员"]), now);
                    break;
                default:
                    Seals.Make(new SealOrder(node.Party, null, SealType.BusinessSeal, organisation, "业务专用章", null, institution, ["复核"]), now);
                    Seals.Make(new SealOrder(node.Party, null, SealType.TransferSeal, organisation, "转讫章", null, institution, ["复核"]), now);
                    break;
            }
        }
    }

    /// <summary>A person's personal seal (私章), bound to the certificate on their USBKey; a unit's people hold their unit's.</summary>
    public RegisteredSeal MakePersonalSeal(TreasuryNode node, string userId)
    {
        ArgumentNullException.ThrowIfNull(node);
        var user = node.Users.Find(userId) ?? throw new KeyNotFoundException($"no user {userId} at {node.Party}");
        // A division's own person's seal names their division's bureau (瑞丽市财政局), a node-wide person's the node's.
        var organisation = user.AgencyCode is not null ? Master.Unit(user.AgencyCode).Name : OrganisationOf(node.Party, user.AdmDivCode);
        var certificate = SoftUsbKeyCertificate(node, user.Id);
        return Seals.Make(new SealOrder(node.Party, user.AgencyCode, SealType.Personal, organisation, user.Name, user.Id, certificate, []), _clock.GetUtcNow());
    }

    private static Org.BouncyCastle.X509.X509Certificate SoftUsbKeyCertificate(TreasuryNode node, string userId)
    {
        var opened = OpenTreasury.Trust.Tokens.SoftUsbKey.Open(node.Users.TokenPath(userId), new SecureRandom());
        using var device = opened.ValueOrThrow();
        return device.OpenApplication(OpenTreasury.Trust.Tokens.SoftUsbKey.ApplicationName).OpenContainer(OpenTreasury.Trust.Tokens.SoftUsbKey.SignContainerName).SignCertificate!;
    }
}
