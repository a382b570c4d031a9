using System.Diagnostics.CodeAnalysis;

using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Asn1;

namespace OpenTreasury.Trust.Seals;

/// <summary>
/// An electronic seal (电子印章, <c>SESeal</c>): the seal info signed by the seal maker (制章者).
/// <code>
/// V4 (GB/T 38540-2020): SESeal ::= SEQUENCE { eSealInfo SES_SealInfo, cert OCTET STRING,
///                                             signAlgID OBJECT IDENTIFIER, signedValue BIT STRING }
/// V1 (GM/T 0031-2014):  SESeal ::= SEQUENCE { esealInfo SES_SealInfo,
///                                             signInfo SEQUENCE { cert, signatureAlgorithm, signData } }
/// </code>
/// A V4 maker signs DER(eSealInfo); a V1 maker signs DER(SEQUENCE { sealInfo, cert, algorithm }).
/// </summary>
public sealed class ElectronicSeal
{
    private ElectronicSeal(SealFormat format, SealInfo info, byte[] makerCertificate, string signatureAlgorithmOid, byte[] signatureValue, byte[] sealInfoDer, byte[] makerSignedDer, byte[] der)
    {
        Format = format;
        Info = info;
        MakerCertificate = makerCertificate;
        SignatureAlgorithmOid = signatureAlgorithmOid;
        SignatureValue = signatureValue;
        SealInfoDer = sealInfoDer;
        MakerSignedDer = makerSignedDer;
        Der = der;
    }

    /// <summary>V1 or V4, as detected from the structure (GB/T 38540 §1.1 rules, after ofdrw's VersionParser).</summary>
    public SealFormat Format { get; }

    public SealInfo Info { get; }

    /// <summary>DER X.509 certificate of the seal maker (a unit certificate).</summary>
    public byte[] MakerCertificate { get; }

    public string SignatureAlgorithmOid { get; }

    /// <summary>The maker's signature (DER <c>SEQUENCE{r,s}</c> for SM2).</summary>
    public byte[] SignatureValue { get; }

    /// <summary>The exact DER of the seal info as carried.</summary>
    public byte[] SealInfoDer { get; }

    /// <summary>The bytes the maker signature covers: <see cref="SealInfoDer"/> for V4, the V1 SEQUENCE for V1.</summary>
    public byte[] MakerSignedDer { get; }

    /// <summary>The whole seal, DER.</summary>
    public byte[] Der { get; }

    /// <summary>
    /// Parses a V1 or V4 seal in strict DER. Never throws; on failure <paramref name="error"/> says why.
    /// Refuses anything larger than <c>Limits.StampBytesMax</c>, a picture over 200 KB, more than 16 signer
    /// certificates, and V5 (GM/T 0031-2025) or other versions.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> der, [NotNullWhen(true)] out ElectronicSeal? seal, out string error)
    {
        seal = SealAsn1.Parse(der, "seal", FromAsn1, out error, out _);
        return seal is not null;
    }

    /// <summary>
    /// The V4 DER of a seal from its parts. Use <see cref="SealMaker"/> to sign; this is for makers whose
    /// key lives elsewhere (a signing server or token) and for tests.
    /// </summary>
    public static byte[] Encode(SealInfo info, byte[] makerCertificateDer, string signatureAlgorithmOid, byte[] signatureValue)
    {
        ArgumentNullException.ThrowIfNull(makerCertificateDer);
        ArgumentNullException.ThrowIfNull(signatureValue);
        return new DerSequence(
            SealAsn1.EncodeSealInfo(info),
            new DerOctetString(makerCertificateDer),
            new DerObjectIdentifier(signatureAlgorithmOid),
            new DerBitString(signatureValue)).GetEncoded(Asn1Encodable.Der);
    }

    /// <summary>Detects the version: 2 elements is V1; 5 is V5; with 4, header version 5 is V5, anything else V4.</summary>
    internal static SealFormat DetectFormat(Asn1Encodable value)
    {
        var seal = SealAsn1.Sequence(value, "SESeal", 2, 5);
        return seal.Count switch
        {
            2 => SealFormat.V1,
            5 => throw new NotSupportedException("the seal has 5 elements: a GM/T 0031-2025 (V5) seal, which is not supported"),
            4 when SealAsn1.HeaderVersionOf(seal) == 5 => throw new NotSupportedException("the seal's header version is 5 (GM/T 0031-2025), which is not supported"),
            4 => SealFormat.V4,
            _ => throw SealAsn1.Bad("SESeal has 3 elements, neither V1 (2) nor V4 (4)"),
        };
    }

    internal static ElectronicSeal FromAsn1(Asn1Encodable value)
    {
        var format = DetectFormat(value);
        var seal = (Asn1Sequence)value;
        var der = seal.GetEncoded(Asn1Encodable.Der);
        var info = SealAsn1.ReadSealInfo(seal[0], format);
        var infoDer = seal[0].ToAsn1Object().GetEncoded(Asn1Encodable.Der);
        if (format == SealFormat.V4)
        {
            return new ElectronicSeal(
                format,
                info,
                SealAsn1.Octets(seal[1], "the maker certificate"),
                SealAsn1.Oid(seal[2], "signAlgID"),
                SealAsn1.Bits(seal[3], "signedValue"),
                infoDer,
                infoDer,
                der);
        }

        var signInfo = SealAsn1.Sequence(seal[1], "SES_SignInfo", 3, 3);
        var signed = new DerSequence(seal[0], signInfo[0], signInfo[1]).GetEncoded(Asn1Encodable.Der);
        return new ElectronicSeal(
            format,
            info,
            SealAsn1.Octets(signInfo[0], "the maker certificate"),
            SealAsn1.Oid(signInfo[1], "the signature algorithm"),
            SealAsn1.Bits(signInfo[2], "signData"),
            infoDer,
            signed,
            der);
    }

    internal static bool IsSm3WithSm2(string oid) => oid == Sm2.SignatureAlgorithmOid;
}
