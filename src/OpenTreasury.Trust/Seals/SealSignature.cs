using System.Diagnostics.CodeAnalysis;

using Org.BouncyCastle.Asn1;

namespace OpenTreasury.Trust.Seals;

/// <summary>
/// A signed seal (电子签章数据, <c>SES_Signature</c>): a seal applied by a signer (签章者) to some data.
/// <code>
/// V4: SES_Signature ::= SEQUENCE { toSign TBS_Sign, cert OCTET STRING, signatureAlgID OBJECT IDENTIFIER,
///                                  signature BIT STRING, timeStamp [0] EXPLICIT BIT STRING OPTIONAL }
///     TBS_Sign ::= SEQUENCE { version INTEGER, eseal SESeal, timeInfo GeneralizedTime, dataHash BIT STRING,
///                             propertyInfo IA5String, extDatas [0] EXPLICIT ExtensionDatas OPTIONAL }
/// V1: SES_Signature ::= SEQUENCE { toSign TBS_Sign, signature BIT STRING }
///     TBS_Sign ::= SEQUENCE { version, eseal, timeInfo BIT STRING, dataHash BIT STRING,
///                             propertyInfo IA5String, cert OCTET STRING, signatureAlgorithm OBJECT IDENTIFIER }
/// </code>
/// Parsing accepts the optional fields tagged or untagged; writing produces V4 with both tagged.
/// </summary>
public sealed class SealSignature
{
    /// <summary>The TBS_Sign version written (GB/T 38540-2020).</summary>
    public const int VersionV4 = 4;

    private SealSignature(SealFormat format, int version, ElectronicSeal seal, DateTimeOffset timeInfo, byte[] dataHash, string propertyInfo, IReadOnlyList<SealExtension> extensions, byte[] signerCertificate, string signatureAlgorithmOid, byte[] signature, byte[]? timeStamp, byte[] toSignDer, byte[] der)
    {
        Format = format;
        Version = version;
        Seal = seal;
        TimeInfo = timeInfo;
        DataHash = dataHash;
        PropertyInfo = propertyInfo;
        Extensions = extensions;
        SignerCertificate = signerCertificate;
        SignatureAlgorithmOid = signatureAlgorithmOid;
        Signature = signature;
        TimeStamp = timeStamp;
        ToSignDer = toSignDer;
        Der = der;
    }

    /// <summary>V1 or V4, as detected from the structure.</summary>
    public SealFormat Format { get; }

    /// <summary>The TBS_Sign version field as carried.</summary>
    public int Version { get; }

    public ElectronicSeal Seal { get; }

    /// <summary>The signing time the signer claims (whole seconds, UTC).</summary>
    public DateTimeOffset TimeInfo { get; }

    public byte[] DataHash { get; }

    /// <summary>What the stamp protects: an OFD Signature.xml path, or a voucher id and stamp position.</summary>
    public string PropertyInfo { get; }

    public IReadOnlyList<SealExtension> Extensions { get; }

    /// <summary>DER X.509 certificate of the signer.</summary>
    public byte[] SignerCertificate { get; }

    public string SignatureAlgorithmOid { get; }

    /// <summary>The signer's signature value over <see cref="ToSignDer"/>.</summary>
    public byte[] Signature { get; }

    /// <summary>The RFC 3161 token over <see cref="Signature"/>, when present (never in V1).</summary>
    public byte[]? TimeStamp { get; }

    /// <summary>The exact DER of TBS_Sign: the bytes the signer signed.</summary>
    public byte[] ToSignDer { get; }

    /// <summary>The whole signed seal, DER.</summary>
    public byte[] Der { get; }

    /// <summary>Parses a V1 or V4 signed seal in strict DER. Never throws; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(ReadOnlySpan<byte> der, [NotNullWhen(true)] out SealSignature? signature, out string error) =>
        TryParse(der, out signature, out error, out _);

    internal static bool TryParse(ReadOnlySpan<byte> der, [NotNullWhen(true)] out SealSignature? signature, out string error, out bool unsupportedVersion)
    {
        signature = SealAsn1.Parse(der, "signed seal", FromAsn1, out error, out unsupportedVersion);
        return signature is not null;
    }

    /// <summary>The V4 DER of TBS_Sign; <paramref name="timeInfo"/> is truncated to whole seconds, extensions are <c>[0] EXPLICIT</c>.</summary>
    public static byte[] EncodeToSign(int version, byte[] sealDer, DateTimeOffset timeInfo, byte[] dataHash, string propertyInfo, IReadOnlyList<SealExtension>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(sealDer);
        ArgumentNullException.ThrowIfNull(dataHash);
        var elements = new List<Asn1Encodable>
        {
            DerInteger.ValueOf(version),
            Asn1Object.FromByteArray(sealDer),
            SealAsn1.GeneralizedTime(timeInfo),
            new DerBitString(dataHash),
            SealAsn1.Ia5For(propertyInfo, nameof(propertyInfo)),
        };
        if (extensions is { Count: > 0 })
        {
            elements.Add(new DerTaggedObject(true, 0, SealAsn1.EncodeExtensions(extensions)));
        }

        return new DerSequence(elements.ToArray()).GetEncoded(Asn1Encodable.Der);
    }

    /// <summary>The V4 DER of SES_Signature; the timestamp, when given, is <c>[0] EXPLICIT BIT STRING</c>.</summary>
    public static byte[] Encode(byte[] toSignDer, byte[] signerCertificateDer, string signatureAlgorithmOid, byte[] signature, byte[]? timeStamp)
    {
        ArgumentNullException.ThrowIfNull(toSignDer);
        ArgumentNullException.ThrowIfNull(signerCertificateDer);
        ArgumentNullException.ThrowIfNull(signature);
        var elements = new List<Asn1Encodable>
        {
            Asn1Object.FromByteArray(toSignDer),
            new DerOctetString(signerCertificateDer),
            new DerObjectIdentifier(signatureAlgorithmOid),
            new DerBitString(signature),
        };
        if (timeStamp is not null)
        {
            elements.Add(new DerTaggedObject(true, 0, new DerBitString(timeStamp)));
        }

        return new DerSequence(elements.ToArray()).GetEncoded(Asn1Encodable.Der);
    }

    private static SealSignature FromAsn1(Asn1Object value)
    {
        var outer = SealAsn1.Sequence(value, "SES_Signature", 2, 5);
        var der = outer.GetEncoded(Asn1Encodable.Der);
        if (outer.Count == 2)
        {
            return FromV1(outer, der);
        }

        if (outer.Count == 3)
        {
            throw SealAsn1.Bad("SES_Signature has 3 elements, neither V1 (2) nor V4 (4 or 5)");
        }

        var toSign = SealAsn1.Sequence(outer[0], "TBS_Sign", 5, 6);
        if (ElectronicSeal.DetectFormat(toSign[1]) != SealFormat.V4)
        {
            throw SealAsn1.Bad("a V4 SES_Signature embeds a V1 seal");
        }

        var seal = ElectronicSeal.FromAsn1(toSign[1]);
        var extensions = toSign.Count == 6
            ? SealAsn1.ReadExtensions(SealAsn1.Untag(toSign[5], "TBS_Sign extDatas"), "TBS_Sign extDatas")
            : [];
        byte[]? timeStamp = outer.Count == 5 ? SealAsn1.Bits(SealAsn1.Untag(outer[4], "timeStamp"), "timeStamp") : null;
        return new SealSignature(
            SealFormat.V4,
            SealAsn1.Integer(toSign[0], "the TBS_Sign version"),
            seal,
            SealAsn1.Time(toSign[2], "timeInfo", utcTimeAllowed: false),
            CheckedHash(SealAsn1.Bits(toSign[3], "dataHash")),
            SealAsn1.Ia5(toSign[4], "propertyInfo", SealAsn1.PropertyInfoLengthMax),
            extensions,
            SealAsn1.Octets(outer[1], "the signer certificate"),
            SealAsn1.Oid(outer[2], "signatureAlgID"),
            SealAsn1.Bits(outer[3], "the signature"),
            timeStamp,
            toSign.GetEncoded(Asn1Encodable.Der),
            der);
    }

    private static SealSignature FromV1(Asn1Sequence outer, byte[] der)
    {
        var toSign = SealAsn1.Sequence(outer[0], "TBS_Sign (V1)", 7, 7);
        if (ElectronicSeal.DetectFormat(toSign[1]) != SealFormat.V1)
        {
            throw SealAsn1.Bad("a V1 SES_Signature embeds a V4 seal");
        }

        // Some V1 writers put the hash in an OCTET STRING; the content is what matters.
        var hash = toSign[3] is Asn1OctetString octets ? octets.GetOctets() : SealAsn1.Bits(toSign[3], "dataHash");
        return new SealSignature(
            SealFormat.V1,
            SealAsn1.Integer(toSign[0], "the TBS_Sign version"),
            ElectronicSeal.FromAsn1(toSign[1]),
            SealAsn1.TimeV1(toSign[2]),
            CheckedHash(hash),
            SealAsn1.Ia5(toSign[4], "propertyInfo", SealAsn1.PropertyInfoLengthMax),
            [],
            SealAsn1.Octets(toSign[5], "the signer certificate"),
            SealAsn1.Oid(toSign[6], "the signature algorithm"),
            SealAsn1.Bits(outer[1], "the signature"),
            null,
            toSign.GetEncoded(Asn1Encodable.Der),
            der);
    }

    private static byte[] CheckedHash(byte[] hash) =>
        hash.Length is > 0 and <= SealAsn1.DigestBytesMax ? hash : throw SealAsn1.Bad($"dataHash has {hash.Length} bytes");
}
