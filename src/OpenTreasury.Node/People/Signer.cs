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

    public Signer(PartyId party, string userId, string name, string post, string? agencyCode, IUsbKeyDevice device, IUsbKeyContainer container)
        : this(party, userId, name, post, agencyCode)
    {
        _device = device;
        Token = container;
    }

    private Signer(PartyId party, string userId, string name, string post, string? agencyCode, IReadOnlyDictionary<string, byte[]> presented)
        : this(party, userId, name, post, agencyCode) => _presented = presented;

    private Signer(PartyId party, string userId, string name, string post, string? agencyCode)
    {
        Party = party;
        UserId = userId;
        Name = name;
        Post = post;
        AgencyCode = agencyCode;
    }

    /// <summary>
    /// A person present through their support control: <paramref name="stamps"/> are the SES_Signatures they
    /// made on their own machine, by position name, without a timestamp (the node adds the TSA's).
    /// </summary>
    public static Signer Remote(PartyId party, string userId, string name, string post, string? agencyCode, IReadOnlyDictionary<string, byte[]> stamps)
    {
        ArgumentNullException.ThrowIfNull(stamps);
        return new Signer(party, userId, name, post, agencyCode, stamps);
    }

    public PartyId Party { get; }

    public string UserId { get; }

    public string Name { get; }

    /// <summary>The post (岗位) the person holds; public seals are granted to posts.</summary>
    public string Post { get; }

    public string? AgencyCode { get; }

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
