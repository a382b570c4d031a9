namespace OpenTreasury.Trust.Seals;

/// <summary>Which standard a parsed seal or signed seal follows. Writing always produces <see cref="V4"/>.</summary>
public enum SealFormat
{
    /// <summary>GM/T 0031-2014: <c>SESeal = {sealInfo, signInfo}</c>, UTCTime dates, a two-element SES_Signature.</summary>
    V1 = 1,

    /// <summary>GB/T 38540-2020: <c>SESeal = {sealInfo, cert, signAlgID, signedValue}</c>, GeneralizedTime dates.</summary>
    V4 = 4,
}

/// <summary>SES_Header: the fixed id "ES", the header version (4 for GB/T 38540) and the vendor id (厂商标识).</summary>
public sealed record SealHeader(string Id, int Version, string VendorId)
{
    public const string FixedId = "ES";
}

/// <summary>SES_ESPictrueInfo: the seal image (type "PNG", "GIF", "SVG", "OFD"…), its bytes, display size in mm.</summary>
public sealed record SealPicture(string Type, byte[] Data, int WidthMm, int HeightMm);

/// <summary>ExtData: an extension of the seal info or of TBS_Sign.</summary>
public sealed record SealExtension(string Oid, bool Critical, byte[] Value);

/// <summary>CertDigestObj: the digest of a signer certificate, the algorithm named in free text ("sm3", "sha256"…).</summary>
public sealed record SealCertDigest(string Algorithm, byte[] Digest);

/// <summary>
/// SES_ESPropertyInfo: the seal type (business-defined), its name, and who may use it — a list of signer
/// certificates (<see cref="CertListCertificates"/>, DER each) or of their digests
/// (<see cref="CertListDigests"/>) — with the creation date and the validity window.
/// </summary>
public sealed record SealProperty(
    int Type,
    string Name,
    int CertListType,
    IReadOnlyList<byte[]> Certificates,
    IReadOnlyList<SealCertDigest> CertDigests,
    DateTimeOffset CreateDate,
    DateTimeOffset ValidStart,
    DateTimeOffset ValidEnd)
{
    /// <summary>certListType 1: <see cref="Certificates"/> holds DER X.509 certificates. V1 seals always are.</summary>
    public const int CertListCertificates = 1;

    /// <summary>certListType 2: <see cref="CertDigests"/> holds certificate digests.</summary>
    public const int CertListDigests = 2;
}

/// <summary>SES_SealInfo: what the seal maker (制章者) signs.</summary>
public sealed record SealInfo(SealHeader Header, string EsId, SealProperty Property, SealPicture Picture, IReadOnlyList<SealExtension> Extensions)
{
    /// <summary>The V4 DER of this seal info: the bytes a V4 maker signature covers.</summary>
    public byte[] ToDer() => SealAsn1.EncodeSealInfo(this).GetEncoded(Org.BouncyCastle.Asn1.Asn1Encodable.Der);
}
