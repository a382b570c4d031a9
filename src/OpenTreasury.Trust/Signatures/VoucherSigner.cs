using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Security;

namespace OpenTreasury.Trust.Signatures;

/// <summary>Makes a <see cref="VoucherSignature"/>: the node's institution signature on a voucher's bytes.</summary>
public static class VoucherSigner
{
    /// <summary>
    /// Signs <paramref name="data"/> (the exact voucher bytes) for <paramref name="propertyInfo"/> (which voucher
    /// and stamp position). <paramref name="signingTime"/> is recorded in whole seconds; it is the caller's
    /// clock, so it is only as trustworthy as the signer until a timestamp authority countersigns.
    /// Returns the DER bytes.
    /// </summary>
    public static byte[] Sign(NodeCredential signer, ReadOnlySpan<byte> data, string propertyInfo, DateTimeOffset signingTime, SecureRandom random)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(propertyInfo);
        ArgumentNullException.ThrowIfNull(random);
        if (propertyInfo.Length > VoucherSignature.PropertyInfoLengthMax)
        {
            throw new ArgumentException($"propertyInfo is at most {VoucherSignature.PropertyInfoLengthMax} characters.", nameof(propertyInfo));
        }

        var toSign = VoucherSignature.EncodeToSign(signingTime, Sm3.Hash(data), propertyInfo);
        var signature = Sm2.Sign(signer.PrivateKey, toSign, random);
        return VoucherSignature.Encode(toSign, signer.Certificate.GetEncoded(), signature);
    }
}
