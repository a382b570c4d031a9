using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Seals;

/// <summary>Makes a seal (制章): the maker signs DER(SES_SealInfo) with SM3withSM2 and the default user ID.</summary>
public static class SealMaker
{
    /// <summary>
    /// A V4 seal for <paramref name="info"/>. Throws <see cref="ArgumentException"/> when the info could not
    /// be read back within the seal limits (too big a picture, too many certificates, non-ASCII ids).
    /// </summary>
    public static ElectronicSeal Make(SealInfo info, X509Certificate makerCertificate, AsymmetricKeyParameter makerKey, SecureRandom random)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(makerCertificate);
        var signature = Sm2.Sign(makerKey, info.ToDer(), random);
        var der = ElectronicSeal.Encode(info, makerCertificate.GetEncoded(), Sm2.SignatureAlgorithmOid, signature);
        return ElectronicSeal.TryParse(der, out var seal, out var error)
            ? seal
            : throw new ArgumentException($"The seal would not be readable: {error}.", nameof(info));
    }
}
