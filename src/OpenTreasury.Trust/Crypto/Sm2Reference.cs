using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Trust.Crypto;

/// <summary>
/// SM3withSM2 on BouncyCastle's <see cref="SM2Signer"/>, as <see cref="Sm2"/> did before it had its own
/// curve arithmetic: the reference the tests cross-check against and the benchmarks compare with.
/// </summary>
internal static class Sm2Reference
{
    public static ECPublicKeyParameters PublicKeyOf(ECPrivateKeyParameters privateKey)
    {
        var q = privateKey.Parameters.G.Multiply(privateKey.D).Normalize();
        return new ECPublicKeyParameters(privateKey.AlgorithmName, q, privateKey.Parameters);
    }

    public static byte[] Sign(ECPrivateKeyParameters privateKey, ReadOnlySpan<byte> data, SecureRandom random)
    {
        var signer = new SM2Signer();
        signer.Init(true, new ParametersWithRandom(privateKey, random));
        signer.BlockUpdate(data);
        return signer.GenerateSignature();
    }

    public static bool Verify(ECPublicKeyParameters publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var signer = new SM2Signer();
        signer.Init(false, publicKey);
        signer.BlockUpdate(data);
        try
        {
            return signer.VerifySignature(signature.ToArray());
        }
        catch (Exception)
        {
            // Malformed r,s (not DER, negative, out of range) is simply not a valid signature, whatever
            // the decoder throws.
            return false;
        }
    }
}
