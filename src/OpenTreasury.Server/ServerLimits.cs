namespace OpenTreasury.Server;

/// <summary>The bounds of a node's HTTP interface, each named with its unit last.</summary>
public static class ServerLimits
{
    /// <summary>How long a login challenge may be answered; it is used once either way.</summary>
    public static readonly TimeSpan ChallengeValidity = TimeSpan.FromMinutes(2);

    /// <summary>A session ends after this long without a request.</summary>
    public static readonly TimeSpan SessionIdleMax = TimeSpan.FromMinutes(30);

    /// <summary>A session ends this long after login, however busy.</summary>
    public static readonly TimeSpan SessionLifetimeMax = TimeSpan.FromHours(8);

    /// <summary>Open challenges a node holds at once (older ones expire within <see cref="ChallengeValidity"/>).</summary>
    public const int ChallengesOpenMax = 10_000;

    /// <summary>Sessions a node holds at once.</summary>
    public const int SessionsOpenMax = 10_000;

    /// <summary>Bytes of a session token (random), before base64url.</summary>
    public const int SessionTokenBytes = 32;

    /// <summary>Bytes of a login signature (DER SM2 is 70–72; a little room for other encodings).</summary>
    public const int SignatureBytesMax = 128;

    /// <summary>How often a node's worker looks for messages to deliver and vouchers to handle when idle.</summary>
    public static readonly TimeSpan WorkerPollInterval = TimeSpan.FromSeconds(1);

    /// <summary>The business day of the treasury is China Standard Time's calendar day (UTC+8).</summary>
    public static readonly TimeSpan BusinessTimeOffset = TimeSpan.FromHours(8);
}
