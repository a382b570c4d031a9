using OpenTreasury.Domain.Parties;

using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Pki;

/// <summary>
/// Reads who an institution or person certificate of the <see cref="NetworkPki"/> names.
/// </summary>
/// <remarks>
/// An institution certificate has no UID and a single CN that is a party (<c>CN=bank-102</c>); its
/// <see cref="CertificateIdentity.Name"/> is the organisation (O). A person certificate has exactly one UID, one
/// CN (the person's name), one OU (the post) and a subjectAltName directoryName whose single CN is the party.
/// Anything else (a CA, the timestamp authority, a foreign certificate) is not an identity.
/// </remarks>
public static class CertificateIdentities
{
    /// <summary>Characters in a user id (the UID attribute).</summary>
    public const int UserIdLengthMax = 64;

    /// <summary>Characters in a person's name or post (X.520 ub-common-name / ub-organizational-unit-name).</summary>
    public const int NameLengthMax = 64;

    public static bool TryRead(X509Certificate certificate, out CertificateIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        identity = null!;
        try
        {
            var subject = certificate.SubjectDN;
            var userIds = subject.GetValueList(X509Name.UID);
            var names = subject.GetValueList(X509Name.CN);
            var organisations = subject.GetValueList(X509Name.O);
            if (names.Count != 1 || organisations.Count != 1)
            {
                return false;
            }

            if (userIds.Count == 0)
            {
                if (!PartyId.TryParse(names[0], out var institution))
                {
                    return false;
                }

                identity = new CertificateIdentity(institution, null, organisations[0], null);
                return true;
            }

            var posts = subject.GetValueList(X509Name.OU);
            if (userIds.Count != 1 || posts.Count != 1 || !TryReadPartyAltName(certificate, out var party))
            {
                return false;
            }

            identity = new CertificateIdentity(party, userIds[0], names[0], posts[0]);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or InvalidOperationException or FormatException)
        {
            // A malformed subjectAltName or name is simply not one of our identities.
            identity = null!;
            return false;
        }
    }

    private static bool TryReadPartyAltName(X509Certificate certificate, out PartyId party)
    {
        party = default;
        var extension = certificate.GetExtensionValue(X509Extensions.SubjectAlternativeName);
        if (extension is null)
        {
            return false;
        }

        var found = false;
        foreach (var name in GeneralNames.GetInstance(extension.GetOctets()).GetNames())
        {
            if (name.TagNo != GeneralName.DirectoryName)
            {
                continue;
            }

            var cns = X509Name.GetInstance(name.Name).GetValueList(X509Name.CN);
            if (found || cns.Count != 1 || !PartyId.TryParse(cns[0], out party))
            {
                // Two parties, or a directory name that is not a party: ambiguous, so no identity.
                party = default;
                return false;
            }

            found = true;
        }

        return found;
    }
}
