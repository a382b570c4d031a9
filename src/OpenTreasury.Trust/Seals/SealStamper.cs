using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Pki;

namespace OpenTreasury.Trust.Seals;

/// <summary>Applies a seal to data (签章), producing a V4 SES_Signature.</summary>
public static class SealStamper
{
    /// <summary>
    /// Stamps <paramref name="data"/>: TBS_Sign{4, seal, signing time, SM3(data), propertyInfo} signed by
    /// <paramref name="signToSign"/> (the signer's key may live in a token, so signing is a callback that
    /// receives DER(TBS_Sign) and returns a DER SM3withSM2 signature). When <paramref name="tsa"/> is given,
    /// its token over the raw signature value is attached as <c>[0] EXPLICIT BIT STRING</c>.
    /// </summary>
    public static SealSignature Stamp(
        ElectronicSeal seal,
        byte[] signerCertificateDer,
        Func<byte[], byte[]> signToSign,
        ReadOnlySpan<byte> data,
        string propertyInfo,
        DateTimeOffset signingTime,
        ITimestampAuthority? tsa)
    {
        ArgumentNullException.ThrowIfNull(seal);
        ArgumentNullException.ThrowIfNull(signerCertificateDer);
        ArgumentNullException.ThrowIfNull(signToSign);
        ArgumentNullException.ThrowIfNull(propertyInfo);
        if (seal.Format != SealFormat.V4)
        {
            throw new ArgumentException("Only a V4 (GB/T 38540) seal can be stamped; a V1 seal must be remade.", nameof(seal));
        }

        var toSign = SealSignature.EncodeToSign(SealSignature.VersionV4, seal.Der, signingTime, Sm3.Hash(data), propertyInfo);
        var signature = signToSign(toSign);
        var timeStamp = tsa?.Stamp(signature);
        var der = SealSignature.Encode(toSign, signerCertificateDer, Sm2.SignatureAlgorithmOid, signature, timeStamp);
        return SealSignature.TryParse(der, out var stamped, out var error)
            ? stamped
            : throw new ArgumentException($"The signed seal would not be readable: {error}.", nameof(propertyInfo));
    }
}
