using Org.BouncyCastle.Crypto.Digests;

namespace OpenTreasury.Trust.Crypto;

/// <summary>The SM3 hash (GB/T 32905), 256 bits.</summary>
public static class Sm3
{
    public const int HashBytes = 32;

    /// <summary>OID of SM3 (1.2.156.10197.1.401).</summary>
    public const string AlgorithmOid = "1.2.156.10197.1.401";

    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var digest = new SM3Digest();
        digest.BlockUpdate(data);
        var hash = new byte[HashBytes];
        digest.DoFinal(hash);
        return hash;
    }
}
