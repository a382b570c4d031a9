using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Tokens;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Node.People;

/// <summary>Why a login was refused; stable codes.</summary>
public enum LoginRejection
{
    None = 0,
    UnknownUser = 1,        // no such person at this node (a person of another party is not a user here)
    UnknownChallenge = 2,   // never issued, issued for another user, or already used (a challenge is used once)
    ChallengeExpired = 3,
    UserLocked = 4,         // locked by an administrator
    CertificateInvalid = 5, // expired, revoked, not a person's certificate, or not this person's
    BadSignature = 6,       // not signed by the key of the person's registered certificate
    InvalidInput = 7,
    TooManyChallenges = 8,  // the node holds its bound of open challenges; try again shortly
}

/// <summary>
/// Checks a login signature against what the node already knows of the person: their user record (not
/// locked) and the certificate registered when they were added — valid now for a person's use, not
/// revoked, naming this party and this user — and the SM3withSM2 signature over the <see cref="LoginMessage"/>.
/// The node never sees the PIN or the key.
/// </summary>
public static class LoginVerifier
{
    public static (LoginRejection Rejection, string Message, UserRecord? User) Verify(
        UserDirectory users, ICertificateValidator validator, PartyId party, string userId, string challenge, byte[] signature, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(validator);
        ArgumentNullException.ThrowIfNull(signature);
        var user = users.Find(userId);
        if (user is null || users.CertificateDer(userId) is not { Length: > 0 } der)
        {
            return (LoginRejection.UnknownUser, $"no user '{userId}' at {party}", null);
        }

        if (user.Locked != 0)
        {
            return (LoginRejection.UserLocked, $"{userId} is locked by an administrator", user);
        }

        X509Certificate certificate;
        try
        {
            certificate = new X509Certificate(der);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or Org.BouncyCastle.Security.Certificates.CertificateException)
        {
            return (LoginRejection.CertificateInvalid, $"the registered certificate of {userId} cannot be read", user);
        }

        var validation = validator.Validate(certificate, now, CertificateUse.Person);
        if (!validation.IsValid)
        {
            return (LoginRejection.CertificateInvalid, $"{userId}'s certificate: {validation.Failure}: {validation.Message}", user);
        }

        if (!CertificateIdentities.TryRead(certificate, out var identity) || identity.Party != party || identity.UserId != userId)
        {
            return (LoginRejection.CertificateInvalid, $"the registered certificate does not name {userId} of {party}", user);
        }

        if (!Sm2.Verify(certificate.GetPublicKey(), LoginMessage.For(party, userId, challenge), signature))
        {
            return (LoginRejection.BadSignature, $"the signature is not {userId}'s over this challenge", user);
        }

        return (LoginRejection.None, $"{userId} logged in", user);
    }
}
