using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Domain.Vouchers;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Seals;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Node.Seals;

/// <summary>
/// The seal's right to stamp a position (GB/T 38540 leaves this to the application): the seal is
/// filed with the checking node and not revoked at the signing time; its type is the position's; it
/// belongs to the sending party (for a unit's positions, to the voucher's unit; for a seal of one division, to the
/// voucher's division); and the signer is the
/// seal's holder — the person for a personal seal, the party's seal server for a public one.
/// </summary>
public static class StampRights
{
    public static StampRefusal? Check(RegisteredSeal? registered, TemplatePosition position, PartyId from, Voucher? content, SealSignature stamp)
    {
        ArgumentNullException.ThrowIfNull(position);
        ArgumentNullException.ThrowIfNull(stamp);
        var esId = stamp.Seal.Info.EsId;
        if (registered is null)
        {
            return new(StampFailure.PositionNotAllowed, $"seal {esId} is not filed (未备案) with this node");
        }

        if (!registered.Der.AsSpan().SequenceEqual(stamp.Seal.Der))
        {
            return new(StampFailure.PositionNotAllowed, $"seal {esId} differs from the seal filed under that esID");
        }

        // The later of the signer's claimed time and the timestamp's: backdating cannot slip a stamp in
        // before a revocation. (The token itself is verified afterwards; here it can only make us stricter.)
        if (registered.IsRevokedAt(Later(stamp.TimeInfo, TimestampTimeOf(stamp.TimeStamp))))
        {
            return new(StampFailure.SealRevoked, $"seal {registered.Name} ({esId}) was revoked at {registered.RevokedAt}: {registered.RevokeReason}");
        }

        if (registered.Type != position.SealType)
        {
            return new(StampFailure.PositionNotAllowed, $"{registered.Name} is a {registered.Type} seal; position {position.Name} needs a {position.SealType} seal");
        }

        if (registered.OwnerParty != from.ToString())
        {
            return new(StampFailure.PositionNotAllowed, $"{registered.Name} belongs to {registered.OwnerParty}, not to the sender {from}");
        }

        if (IsUnitPosition(position) ? registered.AgencyCode != content?["AgencyCode"] : registered.AgencyCode is not null)
        {
            return new(StampFailure.PositionNotAllowed, IsUnitPosition(position)
                ? $"{registered.Name} belongs to unit {registered.AgencyCode}, not to the voucher's unit {content?["AgencyCode"]}"
                : $"{registered.Name} is a seal of unit {registered.AgencyCode}, not of {from} itself");
        }

        if (registered.AdmDivCode is { } division && division != content?["AdmDivCode"])
        {
            return new(StampFailure.PositionNotAllowed, $"{registered.Name} is a seal of division {division}, not of the voucher's {content?["AdmDivCode"]}");
        }

        if (!CertificateIdentities.TryRead(new X509Certificate(stamp.SignerCertificate), out var signer) || signer.Party != from)
        {
            return new(StampFailure.PositionNotAllowed, $"the signer of {position.Name} is not a certificate of {from}");
        }

        if (position.IsPersonal ? signer.UserId != registered.HolderUser : signer.UserId is not null)
        {
            return new(StampFailure.PositionNotAllowed, position.IsPersonal
                ? $"{registered.Name} is held by {registered.HolderUser}, but {signer.UserId} stamped it"
                : $"the public seal {registered.Name} must be stamped by {from}'s seal server, not by a person");
        }

        return null;
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset? b) => b is { } t && t > a ? t : a;

    private static DateTimeOffset? TimestampTimeOf(byte[]? token)
    {
        if (token is null)
        {
            return null;
        }

        try
        {
            var info = new Org.BouncyCastle.Tsp.TimeStampToken(new Org.BouncyCastle.Cms.CmsSignedData(token)).TimeStampInfo;
            return new DateTimeOffset(DateTime.SpecifyKind(info.GenTime, DateTimeKind.Utc));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Hostile token bytes make BouncyCastle throw almost anything (InvalidOperationException too, found by
            // fuzz/run timestamp); the verifier refuses a malformed token on its own, as Malformed.
            return null;
        }
    }

    /// <summary>Budget units' positions (dw_…) carry the voucher's unit's seals.</summary>
    public static bool IsUnitPosition(TemplatePosition position) =>
        position?.Name.StartsWith("dw_", StringComparison.Ordinal) ?? throw new ArgumentNullException(nameof(position));

    /// <summary>The user id a personal stamp was made by, from its signer certificate.</summary>
    public static string? StamperOf(SealSignature stamp) =>
        CertificateIdentities.TryRead(new X509Certificate(stamp?.SignerCertificate), out var identity) ? identity.UserId : null;
}
