using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Network;
using OpenTreasury.Node.People;
using OpenTreasury.Node.Signing;
using OpenTreasury.Node.Storage;
using OpenTreasury.Trust.Certificates;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Business;

/// <summary>What one node is made of, as its own machine holds it.</summary>
public sealed record NodeOptions
{
    /// <summary>The node's own folder: <c>library.db</c> and <c>keys/</c> (its institution certificate and encrypted key).</summary>
    public required string Directory { get; init; }

    public required PartyId Party { get; init; }

    /// <summary>The network's master data (parties, units, people, accounts).</summary>
    public required MasterData Master { get; init; }

    public required TimeProvider Clock { get; init; }

    /// <summary>The network's public trust and the TSA to ask for timestamps.</summary>
    public required NetworkTrust Trust { get; init; }

    /// <summary>How the node's messages reach the other nodes.</summary>
    public required ITransport Transport { get; init; }

    /// <summary>
    /// Where the people's USBKey files are (<c>people/&lt;party&gt;/</c>), when this host holds any: only the
    /// embedded network and a demo do. Null for a real node: no person's key is on a server, and its desks cannot stamp.
    /// </summary>
    public string? PeopleDirectory { get; init; }

    /// <summary>A person's PIN when the desk needs them (the demo's); null: the desks cannot stamp.</summary>
    public PinSource? Pins { get; init; }

    /// <summary>The passphrase of the node's key file, asked for only when the key is first used.</summary>
    public required Func<string> Passphrase { get; init; }

    public required SecureRandom Random { get; init; }

    /// <summary>The node's key, when the caller made it already (<see cref="NodeBuilder.Key"/>); else made from <see cref="Directory"/>.</summary>
    public InstitutionKey? Key { get; init; }
}

/// <summary>
/// Composes one node from its own folder: its institution key (decrypted lazily with the passphrase), its voucher
/// library and signature server, its people and the signers at work, and its desk. The one way a node is made,
/// whether it runs alone on its machine or next to the others in the embedded network.
/// </summary>
public static class NodeBuilder
{
    public const string KeysFolder = "keys";
    public const string LibraryFile = NodeDatabase.LibraryFile;

    /// <summary>
    /// The node's institution certificate from <c>keys/</c>, with its private key decrypted on first use under
    /// <paramref name="passphrase"/> (a wrong one throws <see cref="KeyFileException"/> then).
    /// </summary>
    public static InstitutionKey Key(string directory, PartyId party, Func<string> passphrase)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(passphrase);
        var keys = Path.Combine(directory, KeysFolder);
        var certificate = Pem.ReadCertificate(File.ReadAllText(Path.Combine(keys, NodeCredential.CertificateFileName(party))));
        return new InstitutionKey(party, certificate, () => NodeCredential.Load(keys, party, passphrase()));
    }

    public static TreasuryNode Build(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var party = options.Party;
        var institution = options.Key ?? Key(options.Directory, party, options.Passphrase);
        if (institution.Party != party)
        {
            throw new ArgumentException($"The key given is {institution.Party}'s, not {party}'s.", nameof(options));
        }

        var library = new VoucherLibrary(NodeDatabase.OpenNode(options.Directory), new SignatureServer(institution, options.Trust, options.Random), options.Clock)
        {
            Templates = options.Master.Templates(),
        };
        // Without a people folder the directory points where no USBKey is: the node still knows its people (their
        // certificates are in its library) but holds none of their keys.
        var tokens = options.PeopleDirectory ?? Path.Combine(options.Directory, "no-usbkeys-here");
        var users = new UserDirectory(library, tokens, options.Random);
        var pins = options.PeopleDirectory is null ? null : options.Pins;
        return new TreasuryNode(library, options.Transport, options.Master, options.Clock, users, new SignerPool(users, pins is null ? null : userId => pins(party, userId)));
    }
}
