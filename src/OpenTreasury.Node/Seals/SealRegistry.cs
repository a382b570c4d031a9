using Dapper;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Storage;

namespace OpenTreasury.Node.Seals;

/// <summary>A seal as a node's registry knows it.</summary>
public sealed class RegisteredSeal
{
    public string EsId { get; init; } = string.Empty;

    public long SealType { get; init; }

    public string Name { get; init; } = string.Empty;

    public string OwnerParty { get; init; } = string.Empty;

    public string? AgencyCode { get; init; }

    /// <summary>
    /// The one division (区划) a party's public seal is of (a county's 财政局 at the prefecture's Finance node), or null
    /// for a seal of the whole party. It stamps that division's vouchers only.
    /// </summary>
    public string? AdmDivCode { get; init; }

    public string? HolderUser { get; init; }

    public byte[] Der { get; init; } = [];

    public string ValidFrom { get; init; } = string.Empty;

    public string ValidTo { get; init; } = string.Empty;

    public string? RevokedAt { get; init; }

    public string? RevokeReason { get; init; }

    public string FiledAt { get; init; } = string.Empty;

    public SealType Type => (SealType)SealType;

    public bool IsRevokedAt(DateTimeOffset time) =>
        RevokedAt is not null && DateTimeOffset.Parse(RevokedAt, System.Globalization.CultureInfo.InvariantCulture) <= time;

    public bool IsValidAt(DateTimeOffset time) =>
        DateTimeOffset.Parse(ValidFrom, System.Globalization.CultureInfo.InvariantCulture) <= time
        && time <= DateTimeOffset.Parse(ValidTo, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A node's seal registry (印章库): the seals it may stamp with (its own, and its units' on Finance's
/// platform), the seals filed with it (备案) so it can check what it receives, grants of public seals
/// to posts, and revocations.
/// </summary>
public sealed class SealRegistry(NodeDatabase database)
{
    private const string Select = """
        SELECT es_id AS EsId, seal_type AS SealType, name AS Name, owner_party AS OwnerParty, agency_code AS AgencyCode,
               holder_user AS HolderUser, der AS Der, valid_from AS ValidFrom, valid_to AS ValidTo, revoked_at AS RevokedAt,
               revoke_reason AS RevokeReason, filed_at AS FiledAt, adm_div_code AS AdmDivCode
        FROM seals
        """;

    public RegisteredSeal? Find(string esId)
    {
        using var connection = database.Connect();
        return connection.QuerySingleOrDefault<RegisteredSeal>($"{Select} WHERE es_id = @esId", new { esId });
    }

    public IReadOnlyList<RegisteredSeal> List()
    {
        using var connection = database.Connect();
        return [.. connection.Query<RegisteredSeal>($"{Select} ORDER BY owner_party, agency_code, seal_type, name")];
    }

    public IReadOnlyList<string> GrantsOf(string esId)
    {
        using var connection = database.Connect();
        return [.. connection.Query<string>("SELECT post FROM seal_grants WHERE es_id = @esId ORDER BY post", new { esId })];
    }

    /// <summary>The personal seal of a user of this party, usable at <paramref name="at"/>.</summary>
    public static RegisteredSeal? PersonalSealOf(LibrarySession session, PartyId party, string userId, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.Query<RegisteredSeal>(
                $"{Select} WHERE owner_party = @party AND holder_user = @userId AND seal_type = @type ORDER BY valid_from DESC",
                new { party = party.ToString(), userId, type = (int)SealType.Personal }, session.Transaction)
            .FirstOrDefault(s => !s.IsRevokedAt(at) && s.IsValidAt(at));
    }

    /// <summary>
    /// The valid, unrevoked public seal of <paramref name="party"/> (of unit <paramref name="agencyCode"/>, or the
    /// party's own when null) of <paramref name="type"/>, granted to <paramref name="post"/>, for a voucher of division
    /// <paramref name="admDivCode"/>: the division's own seal when the party has any of that kind granted to the post for
    /// it (a county's 财政局's), else the party's seal of every division. A division whose own seal is revoked is not
    /// stamped with another's.
    /// </summary>
    public static RegisteredSeal? PublicSealFor(LibrarySession session, PartyId party, string? agencyCode, SealType type, string post, string admDivCode, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(session);
        var granted = session.Connection.Query<RegisteredSeal>(
                $"""
                {Select} WHERE owner_party = @party AND seal_type = @type AND ((@agencyCode IS NULL AND agency_code IS NULL) OR agency_code = @agencyCode)
                AND (adm_div_code IS NULL OR adm_div_code = @admDivCode)
                AND EXISTS (SELECT 1 FROM seal_grants g WHERE g.es_id = seals.es_id AND g.post = @post)
                ORDER BY valid_from DESC
                """,
                new { party = party.ToString(), agencyCode, type = (int)type, post, admDivCode }, session.Transaction)
            .ToList();
        var own = granted.Where(s => s.AdmDivCode == admDivCode).ToList();
        return (own.Count > 0 ? own : granted).FirstOrDefault(s => !s.IsRevokedAt(at) && s.IsValidAt(at));
    }

    public static RegisteredSeal? Find(LibrarySession session, string esId)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Connection.QuerySingleOrDefault<RegisteredSeal>($"{Select} WHERE es_id = @esId", new { esId }, session.Transaction);
    }

    internal static void Register(LibrarySession session, RegisteredSeal seal)
    {
        if (Find(session, seal.EsId) is { } known && !known.Der.AsSpan().SequenceEqual(seal.Der))
        {
            throw new InvalidOperationException($"a different seal is already registered as {seal.EsId}; a new seal needs a new esID");
        }

        session.Connection.Execute(
            """
            INSERT INTO seals (es_id, seal_type, name, owner_party, agency_code, adm_div_code, holder_user, der, valid_from, valid_to, filed_at)
            VALUES (@EsId, @SealType, @Name, @OwnerParty, @AgencyCode, @AdmDivCode, @HolderUser, @Der, @ValidFrom, @ValidTo, @FiledAt)
            ON CONFLICT (es_id) DO NOTHING
            """,
            seal, session.Transaction);
    }

    internal static void Grant(LibrarySession session, string esId, string post, string grantedBy) =>
        session.Connection.Execute(
            "INSERT INTO seal_grants (es_id, post, granted_by, granted_at) VALUES (@esId, @post, @grantedBy, @now) ON CONFLICT DO NOTHING",
            new { esId, post, grantedBy, now = session.NowText }, session.Transaction);

    /// <summary>
    /// Revokes a seal as of the start of the current second: signing times are whole seconds, so a stamp
    /// made in the second of the revocation counts as made after it (fail safe).
    /// </summary>
    internal static int Revoke(LibrarySession session, string esId, string reason) => Revoke(session, esId, reason, session.Now);

    /// <summary>Revokes a seal as of the start of the second of <paramref name="at"/> (when the seal maker revoked it).</summary>
    internal static int Revoke(LibrarySession session, string esId, string reason, DateTimeOffset at)
    {
        var now = at.UtcDateTime;
        var second = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return session.Connection.Execute(
            "UPDATE seals SET revoked_at = @at, revoke_reason = @reason WHERE es_id = @esId AND revoked_at IS NULL",
            new { esId, reason, at = second.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) }, session.Transaction);
    }
}
