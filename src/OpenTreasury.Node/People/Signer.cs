using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Tokens;

namespace OpenTreasury.Node.People;

/// <summary>
/// A person at work: their user record and how their personal seal reaches the library. Either their
/// USBKey is at hand, opened and unlocked with their PIN (the CLI, the demo's desks), or the person is
/// present through their support control (支撑控件) on their own machine, which made their stamps there and
/// sent only the finished stamps (<see cref="Presented"/>): the node never holds that person's key.
/// </summary>
public sealed class Signer : IDisposable
{
    private readonly IUsbKeyDevice? _device;
    private readonly IReadOnlyDictionary<string, byte[]>? _presented;

    public Signer(PartyId party, string userId, string name, string post, string? agencyCode, string? admDivCode, IUsbKeyDevice device, IUsbKeyContainer container)
        : this(new Actor(party, userId, post, agencyCode, admDivCode), name)
    {
        _device = device;
        Token = container;
    }

    private Signer(Actor actor, string name, IReadOnlyDictionary<string, byte[]> presented)
        : this(actor, name) => _presented = presented;

    private Signer(Actor actor, string name)
    {
        Actor = actor;
        Name = name;
    }

    /// <summary>
    /// A person present through their support control: <paramref name="stamps"/> are the SES_Signatures they
    /// made on their own machine, by position name, without a timestamp (the node adds the TSA's).
    /// </summary>
    public static Signer Remote(Actor actor, string name, IReadOnlyDictionary<string, byte[]> stamps)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(stamps);
        return new Signer(actor, name, stamps);
    }

    /// <summary>The person as authorization sees them: party, post, unit and division.</summary>
    public Actor Actor { get; }

    public PartyId Party => Actor.Party;

    public string UserId => Actor.UserId;

    public string Name { get; }

    /// <summary>The post (岗位) the person holds; public seals are granted to posts.</summary>
    public string Post => Actor.Post;

    public string? AgencyCode => Actor.AgencyCode;

    /// <summary>The one division (区划) the person works for, or null for a person of every division the node serves.</summary>
    public string? AdmDivCode => Actor.AdmDivCode;

    /// <summary>The person's USBKey when it is at hand; null when the person is present through their support control.</summary>
    public IUsbKeyContainer? Token { get; }

    /// <summary>The stamp the person made for <paramref name="position"/> on their own machine, or null.</summary>
    public byte[]? Presented(string position) => _presented is not null && _presented.TryGetValue(position, out var der) ? der : null;

    public void Dispose() => _device?.Dispose();
}

/// <summary>Gives the desks the signers they work with (people logged in with their USBKeys).</summary>
public interface ISignerSource
{
    Signer SignerFor(string userId);
}

/// <summary>Gives the PIN a person types into their USBKey when their desk needs them, or null.</summary>
public delegate string? PinSource(Domain.Parties.PartyId party, string userId);
