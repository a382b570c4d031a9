using OpenTreasury.Domain.Parties;

using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Certificates;

/// <summary>
/// What a node certificate says about its holder. The subject is
/// <c>CN=&lt;party&gt;, O=&lt;organisation&gt;, OU=&lt;org-type code&gt;</c>, e.g.
/// <c>CN=bank-102, O=中国工商银行, OU=102</c>; the CN is the party's wire name.
/// </summary>
public static class NodeCertificate
{
    /// <summary>Characters in an organisation name (X.520 ub-organization-name).</summary>
    public const int OrganisationNameLengthMax = 64;

    /// <summary>
    /// The party named by the certificate's single CN; false when there is no CN, more than one, or
    /// it is not a party (a CA, a foreign certificate).
    /// </summary>
    public static bool TryGetParty(X509Certificate certificate, out PartyId party)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        party = default;
        var names = certificate.SubjectDN.GetValueList(X509Name.CN);
        return names.Count == 1 && PartyId.TryParse(names[0], out party);
    }

    internal static X509Name SubjectFor(PartyId party, string organisationName) =>
        new(
            [X509Name.CN, X509Name.O, X509Name.OU],
            [party.ToString(), organisationName, party.OrgTypeCode]);

    /// <summary>
    /// Rejects names BouncyCastle would misread: a leading '#' means "hex-encoded DER" in X509Name values and a leading backslash is dropped.
    /// </summary>
    internal static void RequireName(string value, int lengthMax, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(value, parameterName);
        if (value.Length == 0 || value.Length > lengthMax || value.StartsWith('#') || value.StartsWith('\\') || value.Trim() != value)
        {
            throw new ArgumentException(
                $"A certificate name must be 1 to {lengthMax} characters, without leading or trailing spaces and not starting with '#' or '\\': '{value}'.",
                parameterName);
        }
    }
}
