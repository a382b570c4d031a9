using Dapper;
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
using Org.BouncyCastle.Security;

namespace OpenTreasury.Simulation;

/// <summary>
/// A whole network in one folder and one process (the embedded default): the PKI and timestamp
/// authority, one node per party with its own SQLite library, institution key, people on USBKeys and
/// seals, and the in-process transport between them. Layout: <c>network.json</c> (master data,
/// written last), <c>ca/</c>, <c>tsa/</c>, and per party <c>&lt;party&gt;/library.db</c>,
/// <c>&lt;party&gt;/keys/</c>, <c>&lt;party&gt;/tokens/</c>.
/// </summary>
public sealed class TreasuryNetwork : IDisposable
{
    public const string ManifestFile = "network.json";
    private static readonly TimeSpan InstitutionValidity = TimeSpan.FromDays(3 * 365);

    private readonly TimeProvider _clock;

    private TreasuryNetwork(string directory, MasterData master, NetworkTrust trust, IReadOnlyDictionary<PartyId, TreasuryNode> nodes, InProcessTransport transport, SealAdministration seals, TimeProvider clock)
    {
        _clock = clock;
        Directory = directory;
        Master = master;
        Trust = trust;
        Nodes = nodes;
        Transport = transport;
        Seals = seals;
    }

    public string Directory { get; }

    public MasterData Master { get; }

    public NetworkTrust Trust { get; }

    public IReadOnlyDictionary<PartyId, TreasuryNode> Nodes { get; }

    public InProcessTransport Transport { get; }

    /// <summary>Seal administration, done with Finance's seal-maker key.</summary>
    public SealAdministration Seals { get; }

    public TreasuryNode Finance => Nodes[PartyId.Finance];

    public TreasuryNode Pboc => Nodes[PartyId.Pboc];

    public TreasuryNode Bank(string code) => Nodes[PartyId.Parse($"bank-{code}")];

    public IEnumerable<TreasuryNode> Banks => Nodes.Values.Where(n => n.Party.Kind == PartyKind.Bank);

    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, ManifestFile));

    /// <summary>Opens the network in <paramref name="directory"/>, creating it first when it is not there.</summary>
    public static TreasuryNetwork OpenOrCreate(string directory, Func<MasterData> master, TimeProvider clock, PinSource? pins = null)
    {
        ArgumentNullException.ThrowIfNull(master);
        if (!Exists(directory))
        {
            Create(directory, master(), clock);
        }

        return Open(directory, clock, pins);
    }

    /// <summary>The demo's people, logged in with the demo PIN of every demo USBKey (demo and tests only).</summary>
    public static PinSource DemoPins { get; } = (_, _) => MasterData.DemoPinOfEveryToken;

    /// <summary>
    /// Makes the PKI and TSA, each node's institution key and certificate and database, every person
    /// with a USBKey and a personal seal, and the public seals granted to their posts. The manifest is
    /// written last, so a crash half-way leaves no manifest and the next run starts afresh.
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
        foreach (var leftover in master.Parties.Select(p => p.ToString()).Append("ca").Append("tsa"))
        {
            var path = Path.Combine(directory, leftover);
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true); // Left by a creation that did not finish.
            }
        }

        var random = new SecureRandom();
        var trust = NetworkTrust.Create(directory, $"OpenTreasury {master.AdmDivCode}", clock, random);
        foreach (var party in master.Parties)
        {
            var keys = Sm2.GenerateKeyPair(random);
            var certificate = trust.Pki.IssueInstitution(party, master.OrganisationName(party), keys.Public, clock.GetUtcNow(), InstitutionValidity);
            new NodeCredential(party, certificate, keys.Private).Save(Path.Combine(directory, party.ToString(), "keys"));
            var database = NodeDatabase.Open(Path.Combine(directory, party.ToString(), "library.db"));
            using var connection = database.Connect();
            using var tx = connection.BeginTransaction();
            Node.Audit.AuditLog.Append(connection, tx, clock.GetUtcNow(), "system", "node-created", party.ToString(), $"institution certificate {certificate.SerialNumber.ToString(16)}");
            tx.Commit();
        }

        using (var network = Load(directory, master, clock, null))
        {
            foreach (var user in master.Users)
            {
                var node = network.Nodes[PartyId.Parse(user.Party)];
                var added = node.Users.Add(trust, master.OrganisationName(node.Party), user.Id, user.Name, user.Role, user.AgencyCode, master.DemoPin, master.DemoAdminPin);
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
    /// the desks cannot stamp, and reading, verifying and administration still work.
    /// </summary>
    public static TreasuryNetwork Open(string directory, TimeProvider clock, PinSource? pins = null)
    {
        if (!Exists(directory))
        {
            throw new DirectoryNotFoundException($"{directory} holds no network (no {ManifestFile}); run `treasury demo --data {directory}` to make one");
        }

        return Load(directory, MasterData.FromJson(File.ReadAllText(Path.Combine(directory, ManifestFile))), clock, pins);
    }

    private static TreasuryNetwork Load(string directory, MasterData master, TimeProvider clock, PinSource? pins)
    {
        var random = new SecureRandom();
        var trust = NetworkTrust.Load(directory, clock, random);
        var transport = new InProcessTransport();
        var nodes = new Dictionary<PartyId, TreasuryNode>();
        var credentials = new Dictionary<PartyId, NodeCredential>();
        foreach (var party in master.Parties)
        {
            var partyDirectory = Path.Combine(directory, party.ToString());
            var credential = NodeCredential.Load(Path.Combine(partyDirectory, "keys"), party);
            credentials[party] = credential;
            var library = new VoucherLibrary(NodeDatabase.Open(Path.Combine(partyDirectory, "library.db")), new SignatureServer(credential, trust, random), clock);
            transport.Register(library);
            var users = new UserDirectory(library, partyDirectory, random);
            nodes[party] = new TreasuryNode(library, transport, master, clock, users, new SignerPool(users, pins is null ? null : userId => pins(party, userId)));
        }

        var seals = new SealAdministration([.. nodes.Values.Select(n => n.Library)], credentials[PartyId.Finance], random);
        return new TreasuryNetwork(directory, master, trust, nodes, transport, seals, clock);
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

    /// <summary>Delivers everything due and lets every desk handle what arrived, until the network is quiet.</summary>
    public async Task SettleAndProcessAsync(DateOnly businessDate, CancellationToken cancellationToken = default)
    {
        for (var round = 0; round < 100; round++)
        {
            var delivered = await SettleAsync(cancellationToken).ConfigureAwait(false);
            var handled = 0;
            foreach (var node in Nodes.Values)
            {
                handled += node switch
                {
                    { BankDesk: { } bank } => bank.ProcessReceived(businessDate).Handled,
                    { PbocDesk: { } pboc } => pboc.ProcessReceived(businessDate).Handled,
                    _ => node.FinanceDesk!.ProcessReceived().Handled,
                };
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
        var organisation = user.AgencyCode is null ? Master.OrganisationName(node.Party) : Master.Unit(user.AgencyCode).Name;
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
