using System.Globalization;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Domain.Seals;
using OpenTreasury.Node.Library;
using OpenTreasury.Printing;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Seals;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Node.Seals;

/// <summary>
/// What to make: whose seal, of which kind, usable by which certificate, granted to which posts; a party's public seal
/// of one division (<paramref name="AdmDivCode"/>, a county's 财政局 at the prefecture's node) or of the whole party.
/// </summary>
public sealed record SealOrder(
    PartyId Owner,
    string? AgencyCode,
    SealType Type,
    string Organisation,
    string PictureText,
    string? HolderUser,
    X509Certificate Signer,
    IReadOnlyList<string> GrantedPosts,
    string? AdmDivCode = null);

/// <summary>
/// Seal administration (印章管理), done by the seal maker (制章): makes a GB/T 38540 V4 seal signed with the seal
/// maker's key and publishes a signed notice filing it (备案) with the posts its owner grants it to, or revoking it, into
/// the public folder (<see cref="SealNotices"/>). Each node takes the notices in itself and checks them before it
/// registers anything; <paramref name="libraries"/> are the nodes this host runs, told to take them in at once.
/// </summary>
public sealed class SealAdministration(IReadOnlyList<VoucherLibrary> libraries, NodeCredential maker, string publicDirectory, TimeProvider clock, SecureRandom random)
{
    public const string VendorId = "OpenTreasury";
    private static readonly TimeSpan Validity = TimeSpan.FromDays(2 * 365);

    public RegisteredSeal Make(SealOrder order, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(order);
        var picture = order.Type switch
        {
            SealType.Personal or SealType.LegalPerson => SealPictures.SquarePersonalSeal(order.PictureText),
            _ => SealPictures.RoundPublicSeal(order.Organisation, KindText(order.Type)),
        };
        var esId = NextEsId(EsId(order));
        var name = order.Type is SealType.Personal or SealType.LegalPerson ? $"{order.Organisation}{order.PictureText}{KindText(order.Type)}" : $"{order.Organisation}{KindText(order.Type)}";
        var start = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var info = new SealInfo(
            new SealHeader(SealHeader.FixedId, 4, VendorId),
            esId,
            new SealProperty((int)order.Type, name, SealProperty.CertListCertificates, [order.Signer.GetEncoded()], [], now, start, start + Validity),
            new SealPicture(SealImage.Type, picture.Png, picture.WidthMm, picture.HeightMm),
            []);
        var seal = SealMaker.Make(info, maker.Certificate, maker.PrivateKey, random);
        var registered = new RegisteredSeal
        {
            EsId = esId,
            SealType = (long)order.Type,
            Name = name,
            OwnerParty = order.Owner.ToString(),
            AgencyCode = order.AgencyCode,
            AdmDivCode = order.AdmDivCode,
            HolderUser = order.HolderUser,
            Der = seal.Der,
            ValidFrom = Text(start),
            ValidTo = Text(start + Validity),
            FiledAt = Text(now),
        };
        // The notice is signed now, whatever dates the seal itself carries.
        SealNotices.Publish(publicDirectory, SealNotice.File, registered, order.GrantedPosts, null, maker, clock.GetUtcNow(), random);
        ImportEverywhere();
        return registered;
    }

    /// <summary>
    /// Revokes a seal: a signed revocation notice is published, and every node applies it when it takes it in; stamps
    /// made before now stay valid, later ones are refused. Returns how many of this host's nodes revoked it.
    /// </summary>
    public int Revoke(string esId, string reason)
    {
        var now = clock.GetUtcNow();
        var known = libraries.Select(l => new SealRegistry(l.Database).Find(esId)).FirstOrDefault(s => s is not null && s.RevokedAt is null);
        if (known is null)
        {
            return 0;
        }

        SealNotices.Publish(publicDirectory, SealNotice.Revocation, known, [], reason, maker, now, random);
        ImportEverywhere();
        return libraries.Count(l => new SealRegistry(l.Database).Find(esId)?.RevokedAt is not null);
    }

    private void ImportEverywhere()
    {
        foreach (var library in libraries)
        {
            var (_, rejection, message) = SealNotices.Import(library, publicDirectory);
            if (rejection != SealNoticeRejection.None)
            {
                throw new InvalidOperationException($"{library.Party} refused a seal notice: {rejection} ({(int)rejection}): {message}");
            }
        }
    }

    public static string KindText(SealType type) => type switch
    {
        SealType.FinanceSeal => "财务专用章",
        SealType.BusinessSeal => "业务专用章",
        SealType.TransferSeal => "转讫章",
        SealType.LegalPerson => "法人章",
        _ => "私章",
    };

    /// <summary>The first seal of an owner and kind takes the plain esID; a replacement gets the next serial (-2, -3 …).</summary>
    private string NextEsId(string plain)
    {
        var finance = libraries.FirstOrDefault(l => l.Party == maker.Party);
        if (finance is null || new SealRegistry(finance.Database).Find(plain) is null)
        {
            return plain;
        }

        var serial = 2;
        while (new SealRegistry(finance.Database).Find($"{plain}-{serial}") is not null)
        {
            serial++;
        }

        return $"{plain}-{serial}";
    }

    private static string EsId(SealOrder order)
    {
        var owner = order.AgencyCode ?? (order.AdmDivCode is { } division ? $"{order.Owner.OrgTypeCode}-{division}" : order.Owner.OrgTypeCode);
        var holder = order.HolderUser is null ? string.Empty : "-" + order.HolderUser;
        return $"ES{owner}-{(int)order.Type:D2}{holder}".ToUpperInvariant();
    }

    private static string Text(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
