using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Pki;

/// <summary>Certificate and CRL signature checks that answer false instead of throwing on hostile input.</summary>
internal static class SignatureChecks
{
    // BouncyCastle verifies SM3withSM2 with the default user ID, the one every CA uses.
    public static bool IsSignedBy(X509Certificate certificate, AsymmetricKeyParameter issuerKey)
    {
        try
        {
            certificate.Verify(issuerKey);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    public static bool IsSignedBy(X509Crl crl, AsymmetricKeyParameter issuerKey)
    {
        try
        {
            crl.Verify(issuerKey);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }
}
