using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Tokens;

namespace OpenTreasury.Node.People;

/// <summary>A person at work: their user record and their USBKey, opened and unlocked with their PIN.</summary>
public sealed class Signer(PartyId party, string userId, string name, string post, string? agencyCode, IUsbKeyDevice device, IUsbKeyContainer container) : IDisposable
{
    public PartyId Party => party;

    public string UserId => userId;

    public string Name => name;

    /// <summary>The post (岗位) the person holds; public seals are granted to posts.</summary>
    public string Post => post;

    public string? AgencyCode => agencyCode;

    public IUsbKeyContainer Token => container;

    public void Dispose() => device.Dispose();
}

/// <summary>Gives the desks the signers they work with (people logged in with their USBKeys).</summary>
public interface ISignerSource
{
    Signer SignerFor(string userId);
}

/// <summary>Gives the PIN a person types into their USBKey when their desk needs them, or null.</summary>
public delegate string? PinSource(Domain.Parties.PartyId party, string userId);
