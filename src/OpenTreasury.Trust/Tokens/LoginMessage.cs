using System.Text;
using OpenTreasury.Domain.Parties;

namespace OpenTreasury.Trust.Tokens;

/// <summary>
/// What a person signs with their USBKey to log in at a node: the UTF-8 bytes of
/// <c>opentreasury-login\n{party}\n{userId}\n{challenge}</c>, the challenge in base64 as the node gave it.
/// Naming the party and the user binds the signature to this login at this node: it opens no session
/// anywhere else, and a challenge is used once.
/// </summary>
public static class LoginMessage
{
    public const string Prefix = "opentreasury-login";

    /// <summary>Bytes of a login challenge (random, from the node).</summary>
    public const int ChallengeBytes = 32;

    public static byte[] For(PartyId party, string userId, string challenge) =>
        Encoding.UTF8.GetBytes($"{Prefix}\n{party}\n{userId}\n{challenge}");
}
