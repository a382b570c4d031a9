using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace OpenTreasury.Trust.Tokens;

/// <summary>
/// The three spellings of one SM2 signature (r, s): DER <c>SEQUENCE{r,s}</c> (X.509, CMS, seals), raw
/// <c>r‖s</c> (64 bytes, web libraries) and the SKF <c>ECCSIGNATUREBLOB { BYTE r[64]; BYTE s[64]; }</c>
/// (128 bytes, r and s right-aligned in their 64-byte fields, zeros in front). Every conversion checks
/// 1 ≤ r, s ≤ n − 1 and throws <see cref="FormatException"/> on anything else.
/// </summary>
public static class Sm2SignatureForms
{
    /// <summary>Bytes of r or s on sm2p256v1.</summary>
    public const int ScalarBytes = 32;

    /// <summary>Bytes of <c>r‖s</c>.</summary>
    public const int RawBytes = 2 * ScalarBytes;

    /// <summary>Bytes of one field of an SKF blob (<c>ECC_MAX_XCOORDINATE_BITS_LEN</c> 512 / 8).</summary>
    public const int BlobFieldBytes = 64;

    /// <summary>Bytes of an <c>ECCSIGNATUREBLOB</c>.</summary>
    public const int EccSignatureBlobBytes = 2 * BlobFieldBytes;

    private static readonly BigInteger s_n = ECNamedDomainParameters.LookupOid(GMObjectIdentifiers.sm2p256v1).N;

    /// <summary>DER → <c>r‖s</c>. Strict DER only (one encoding per signature).</summary>
    public static byte[] DerToRaw(ReadOnlySpan<byte> der)
    {
        var (r, s) = DecodeDer(der);
        return PlainDsaEncoding.Instance.Encode(s_n, r, s);
    }

    /// <summary><c>r‖s</c> → DER.</summary>
    public static byte[] RawToDer(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != RawBytes)
        {
            throw new FormatException($"A raw SM2 signature is {RawBytes} bytes, not {raw.Length}.");
        }

        var r = RequireScalar(new BigInteger(1, raw[..ScalarBytes].ToArray()), "r");
        var s = RequireScalar(new BigInteger(1, raw[ScalarBytes..].ToArray()), "s");
        return StandardDsaEncoding.Instance.Encode(s_n, r, s);
    }

    /// <summary>DER → <c>ECCSIGNATUREBLOB</c> (128 bytes).</summary>
    public static byte[] DerToEccSignatureBlob(ReadOnlySpan<byte> der) => RawToEccSignatureBlob(DerToRaw(der));

    /// <summary><c>ECCSIGNATUREBLOB</c> → DER. The 32 leading bytes of each field must be zero.</summary>
    public static byte[] EccSignatureBlobToDer(ReadOnlySpan<byte> blob) => RawToDer(EccSignatureBlobToRaw(blob));

    /// <summary><c>r‖s</c> → <c>ECCSIGNATUREBLOB</c>: each value right-aligned in its 64-byte field.</summary>
    public static byte[] RawToEccSignatureBlob(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != RawBytes)
        {
            throw new FormatException($"A raw SM2 signature is {RawBytes} bytes, not {raw.Length}.");
        }

        var blob = new byte[EccSignatureBlobBytes];
        raw[..ScalarBytes].CopyTo(blob.AsSpan(BlobFieldBytes - ScalarBytes, ScalarBytes));
        raw[ScalarBytes..].CopyTo(blob.AsSpan(EccSignatureBlobBytes - ScalarBytes, ScalarBytes));
        return blob;
    }

    /// <summary><c>ECCSIGNATUREBLOB</c> → <c>r‖s</c>.</summary>
    public static byte[] EccSignatureBlobToRaw(ReadOnlySpan<byte> blob)
    {
        if (blob.Length != EccSignatureBlobBytes)
        {
            throw new FormatException($"An ECCSIGNATUREBLOB is {EccSignatureBlobBytes} bytes, not {blob.Length}.");
        }

        var rField = blob[..BlobFieldBytes];
        var sField = blob[BlobFieldBytes..];
        if (rField[..(BlobFieldBytes - ScalarBytes)].ContainsAnyExcept((byte)0)
            || sField[..(BlobFieldBytes - ScalarBytes)].ContainsAnyExcept((byte)0))
        {
            // A 256-bit key leaves the front half of each field empty; anything there is another
            // vendor's layout (left-aligned) or garbage, and guessing would sign-check the wrong numbers.
            throw new FormatException("An ECCSIGNATUREBLOB for sm2p256v1 has r and s in the last 32 bytes of each 64-byte field.");
        }

        var raw = new byte[RawBytes];
        rField[(BlobFieldBytes - ScalarBytes)..].CopyTo(raw);
        sField[(BlobFieldBytes - ScalarBytes)..].CopyTo(raw.AsSpan(ScalarBytes));
        _ = RequireScalar(new BigInteger(1, raw, 0, ScalarBytes), "r");
        _ = RequireScalar(new BigInteger(1, raw, ScalarBytes, ScalarBytes), "s");
        return raw;
    }

    private static (BigInteger R, BigInteger S) DecodeDer(ReadOnlySpan<byte> der)
    {
        BigInteger[] rs;
        try
        {
            rs = StandardDsaEncoding.Instance.Decode(s_n, der.ToArray());
        }
        catch (Exception e) when (e is not FormatException)
        {
            throw new FormatException("Not a strict DER SEQUENCE{r, s} with 1 <= r, s < n.", e);
        }

        return (rs[0], rs[1]);
    }

    private static BigInteger RequireScalar(BigInteger value, string name) =>
        value.SignValue > 0 && value.CompareTo(s_n) < 0
            ? value
            : throw new FormatException($"SM2 signature value {name} is outside [1, n-1].");
}
