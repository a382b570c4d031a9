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

/// <summary>What to make: whose seal, of which kind, usable by which certificate, granted to which posts.</summary>
public sealed record SealOrder(
    PartyId Owner,
    string? AgencyCode,
    SealType Type,
    string Organisation,
    string PictureText,
    string? HolderUser,
    X509Certificate Signer,
    IReadOnlyList<string> GrantedPosts);

/// <summary>
/// Seal administration (印章管理), done by Finance as the seal maker (制章): makes a GB/T 38540 V4 seal
/// signed with Finance's institution key, registers it with its owner, files it (备案) with every other
/// node so they can check it, grants public seals to posts, and revokes seals everywhere.
/// In a one-process network the filing is a write to each node's registry; between machines it will
/// travel as a message.
/// </summary>
public sealed class SealAdministration(IReadOnlyList<VoucherLibrary> libraries, NodeCredential maker, SecureRandom random)
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
            HolderUser = order.HolderUser,
            Der = seal.Der,
            ValidFrom = Text(start),
            ValidTo = Text(start + Validity),
            FiledAt = Text(now),
        };
        foreach (var library in libraries)
        {
            library.Run(session =>
            {
                SealRegistry.Register(session, registered);
                var owner = library.Party == order.Owner;
                if (owner)
                {
                    foreach (var post in order.GrantedPosts)
                    {
                        SealRegistry.Grant(session, esId, post, maker.Party.ToString());
                        session.Audit("admin", "seal-grant", esId, $"{name} to post {post}");
                    }
                }

                session.Audit("admin", owner ? "seal-register" : "seal-file", esId, $"{name}, type {order.Type}, owner {order.Owner}{(order.AgencyCode is null ? string.Empty : "/" + order.AgencyCode)}");
                return LibraryResult.Done(0);
            });
        }

        return registered;
    }

    /// <summary>Revokes a seal at every node; stamps made before now stay valid, later ones are refused.</summary>
    public int Revoke(string esId, string reason)
    {
        var count = 0;
        foreach (var library in libraries)
        {
            library.Run(session =>
            {
                count += SealRegistry.Revoke(session, esId, reason);
                session.Audit("admin", "seal-revoke", esId, reason);
                return LibraryResult.Done(0);
            });
        }

        return count;
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
        var registry = new SealRegistry(libraries.First(l => l.Party == maker.Party).Database);
        if (registry.Find(plain) is null)
        {
            return plain;
        }

        var serial = 2;
        while (registry.Find($"{plain}-{serial}") is not null)
        {
            serial++;
        }

        return $"{plain}-{serial}";
    }

    private static string EsId(SealOrder order)
    {
        var owner = order.AgencyCode ?? order.Owner.OrgTypeCode;
        var holder = order.HolderUser is null ? string.Empty : "-" + order.HolderUser;
        return $"ES{owner}-{(int)order.Type:D2}{holder}".ToUpperInvariant();
    }

    private static string Text(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
