using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using OpenTreasury.Node.People;
using OpenTreasury.Trust.Tokens;

namespace OpenTreasury.Server.Auth;

/// <summary>A person's session at a node, opened by a USBKey login.</summary>
public sealed record NodeSession(Actor Actor, string Name, DateTimeOffset OpenedAt, DateTimeOffset LastSeenAt)
{
    public DateTimeOffset ExpiresAt => Min(LastSeenAt + ServerLimits.SessionIdleMax, OpenedAt + ServerLimits.SessionLifetimeMax);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

/// <summary>
/// The node's open login challenges and sessions, in memory: a restart of the node logs everyone out.
/// Tokens are kept only as their SHA-256, so a memory dump does not hand out live sessions. Time and
/// randomness are injected.
/// </summary>
public sealed class SessionStore(TimeProvider clock, RandomNumberGenerator random)
{
    private readonly ConcurrentDictionary<string, (string UserId, DateTimeOffset ExpiresAt)> _challenges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, NodeSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>A new random challenge for <paramref name="userId"/>, or null when too many are open.</summary>
    public (string Challenge, DateTimeOffset ExpiresAt)? IssueChallenge(string userId)
    {
        var now = clock.GetUtcNow();
        if (_challenges.Count >= ServerLimits.ChallengesOpenMax)
        {
            foreach (var stale in _challenges.Where(c => c.Value.ExpiresAt <= now))
            {
                _challenges.TryRemove(stale.Key, out _);
            }

            if (_challenges.Count >= ServerLimits.ChallengesOpenMax)
            {
                return null;
            }
        }

        var bytes = new byte[LoginMessage.ChallengeBytes];
        random.GetBytes(bytes);
        var challenge = Convert.ToBase64String(bytes);
        var expiresAt = now + ServerLimits.ChallengeValidity;
        _challenges[challenge] = (userId, expiresAt);
        return (challenge, expiresAt);
    }

    /// <summary>Takes a challenge out (it is used once, whatever the login's outcome) and says whether it was good.</summary>
    public LoginRejection TakeChallenge(string challenge, string userId)
    {
        if (!_challenges.TryRemove(challenge, out var issued) || !string.Equals(issued.UserId, userId, StringComparison.Ordinal))
        {
            return LoginRejection.UnknownChallenge;
        }

        return issued.ExpiresAt <= clock.GetUtcNow() ? LoginRejection.ChallengeExpired : LoginRejection.None;
    }

    /// <summary>Opens a session; the token (base64url of random bytes) is returned once and kept only hashed.</summary>
    public (string Token, NodeSession Session)? Open(Actor actor, string name)
    {
        var now = clock.GetUtcNow();
        if (_sessions.Count >= ServerLimits.SessionsOpenMax)
        {
            foreach (var stale in _sessions.Where(s => s.Value.ExpiresAt <= now))
            {
                _sessions.TryRemove(stale.Key, out _);
            }

            if (_sessions.Count >= ServerLimits.SessionsOpenMax)
            {
                return null;
            }
        }

        var bytes = new byte[ServerLimits.SessionTokenBytes];
        random.GetBytes(bytes);
        var token = Base64Url(bytes);
        var session = new NodeSession(actor, name, now, now);
        _sessions[Key(token)] = session;
        return (token, session);
    }

    /// <summary>The live session of a token, its idle time restarted; or why there is none.</summary>
    public (NodeSession? Session, AuthorizationRejection Rejection) Touch(string? token)
    {
        if (string.IsNullOrEmpty(token) || !_sessions.TryGetValue(Key(token), out var session))
        {
            return (null, AuthorizationRejection.NotLoggedIn);
        }

        var now = clock.GetUtcNow();
        if (session.ExpiresAt <= now)
        {
            _sessions.TryRemove(Key(token), out _);
            return (session, AuthorizationRejection.SessionExpired);
        }

        var touched = session with { LastSeenAt = now };
        _sessions[Key(token)] = touched;
        return (touched, AuthorizationRejection.None);
    }

    public bool Close(string token) => _sessions.TryRemove(Key(token), out _);

    /// <summary>Ends every session of a person (they were locked); returns how many.</summary>
    public int CloseAllOf(string userId)
    {
        var ended = 0;
        foreach (var entry in _sessions.Where(s => string.Equals(s.Value.Actor.UserId, userId, StringComparison.Ordinal)))
        {
            ended += _sessions.TryRemove(entry.Key, out _) ? 1 : 0;
        }

        return ended;
    }

    private static string Key(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
