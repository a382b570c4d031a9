using System.Diagnostics.CodeAnalysis;

using OpenTreasury.Domain;
using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Asn1;

namespace OpenTreasury.Trust.Signatures;

/// <summary>
/// The single institution signature a node puts on a voucher until the seal layer exists. It is shaped like
/// GB/T 38540's <c>SES_Signature</c> (without the seal) so a seal can take its place later:
/// <code>
/// VoucherSignature ::= SEQUENCE {
///   toSign  SEQUENCE { version INTEGER (1), timeInfo GeneralizedTime,
///                      dataHash BIT STRING (SM3 of the signed bytes), propertyInfo UTF8String },
///   cert    OCTET STRING (DER X.509 signer certificate),
///   signatureAlgID OBJECT IDENTIFIER (1.2.156.10197.1.501),
///   signature BIT STRING (SM3withSM2 over DER(toSign), default user ID) }
/// </code>
/// </summary>
public sealed class VoucherSignature
{
    public const int Version = 1;

    /// <summary>Characters in propertyInfo (a voucher id and stamp position, e.g. <c>5201…:yh_stamp1</c>).</summary>
    public const int PropertyInfoLengthMax = 512;

    private VoucherSignature(byte[] toSignDer, DateTimeOffset signingTime, byte[] dataHash, string propertyInfo, byte[] certificateDer, string signatureAlgorithmOid, byte[] signatureValue)
    {
        ToSignDer = toSignDer;
        SigningTime = signingTime;
        DataHash = dataHash;
        PropertyInfo = propertyInfo;
        CertificateDer = certificateDer;
        SignatureAlgorithmOid = signatureAlgorithmOid;
        SignatureValue = signatureValue;
    }

    /// <summary>DER of toSign: the bytes the SM2 signature covers.</summary>
    public byte[] ToSignDer { get; }

    /// <summary>timeInfo, in whole seconds (UTC).</summary>
    public DateTimeOffset SigningTime { get; }

    public byte[] DataHash { get; }

    public string PropertyInfo { get; }

    public byte[] CertificateDer { get; }

    public string SignatureAlgorithmOid { get; }

    /// <summary>The DER <c>SEQUENCE{r,s}</c> carried in the signature BIT STRING.</summary>
    public byte[] SignatureValue { get; }

    /// <summary>DER of toSign for these values; <paramref name="signingTime"/> is truncated to whole seconds.</summary>
    internal static byte[] EncodeToSign(DateTimeOffset signingTime, byte[] dataHash, string propertyInfo) =>
        new DerSequence(
            DerInteger.ValueOf(Version),
            new DerGeneralizedTime(WholeSeconds(signingTime).UtcDateTime),
            new DerBitString(dataHash),
            new DerUtf8String(propertyInfo)).GetEncoded(Asn1Encodable.Der);

    internal static byte[] Encode(byte[] toSignDer, byte[] certificateDer, byte[] signatureValue) =>
        new DerSequence(
            Asn1Object.FromByteArray(toSignDer),
            new DerOctetString(certificateDer),
            new DerObjectIdentifier(Sm2.SignatureAlgorithmOid),
            new DerBitString(signatureValue)).GetEncoded(Asn1Encodable.Der);

    /// <summary>
    /// Parses strict DER: anything else (BER, trailing bytes, a wrong version or field type, an oversized
    /// input) is refused, so one signature has exactly one encoding. Never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> der, [NotNullWhen(true)] out VoucherSignature? signature)
    {
        signature = null;
        if (der.IsEmpty || der.Length > Limits.StampBytesMax)
        {
            return false;
        }

        try
        {
            var input = der.ToArray();
            var outer = Asn1Object.FromByteArray(input);
            if (!outer.GetEncoded(Asn1Encodable.Der).AsSpan().SequenceEqual(input)
                || outer is not Asn1Sequence { Count: 4 } sequence
                || sequence[0] is not Asn1Sequence { Count: 4 } toSign
                || toSign[0] is not DerInteger version
                || !version.HasValue(Version)
                || toSign[1] is not Asn1GeneralizedTime time
                || toSign[2] is not DerBitString { PadBits: 0 } dataHash
                || toSign[3] is not DerUtf8String propertyInfo
                || sequence[1] is not Asn1OctetString certificate
                || sequence[2] is not DerObjectIdentifier algorithm
                || sequence[3] is not DerBitString { PadBits: 0 } value)
            {
                return false;
            }

            var hash = dataHash.GetOctets();
            var property = propertyInfo.GetString();
            if (hash.Length != Sm3.HashBytes || property.Length > PropertyInfoLengthMax)
            {
                return false;
            }

            signature = new VoucherSignature(
                toSign.GetEncoded(Asn1Encodable.Der),
                new DateTimeOffset(time.ToDateTime().ToUniversalTime(), TimeSpan.Zero),
                hash,
                property,
                certificate.GetOctets(),
                algorithm.Id,
                value.GetOctets());
            return true;
        }
        catch (Exception)
        {
            // Hostile bytes can make a parser throw almost anything; all of it means "malformed".
            return false;
        }
    }

    internal static DateTimeOffset WholeSeconds(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }
}
