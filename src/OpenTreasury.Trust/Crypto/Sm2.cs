using System.Security.Cryptography;

using OpenTreasury.Trust.Crypto.Sm2Curve;

using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Trust.Crypto;

/// <summary>
/// SM2 (GB/T 32918): keys on the named curve sm2p256v1, SM3withSM2 signatures with the default user ID
/// and DER <c>SEQUENCE{r,s}</c> encoding, and public-key encryption in C1C3C2 order.
/// </summary>
/// <remarks>
/// Signing, verification and d·G run on our own constant-time curve arithmetic (<see cref="Sm2Fast"/>,
/// docs/sm2-implementation.md): signing about 5.5 times and verification about 1.5 times as fast as
/// BouncyCastle's, byte-compatible with it; keys, encodings and encryption stay on BouncyCastle. BouncyCastle engines are not thread-safe, so
/// every encryption builds its own.
/// </remarks>
public static class Sm2
{
    /// <summary>The user ID every CA and token uses unless told otherwise (ASCII "1234567812345678").</summary>
    public const string DefaultUserId = "1234567812345678";

    /// <summary>OID of the curve sm2p256v1 (1.2.156.10197.1.301).</summary>
    public const string CurveOid = "1.2.156.10197.1.301";

    /// <summary>OID of SM3withSM2 signatures (1.2.156.10197.1.501), the signature algorithm of certs and seals.</summary>
    public const string SignatureAlgorithmOid = "1.2.156.10197.1.501";

    /// <summary>Bytes C1 (65, uncompressed point) plus C3 (32, SM3) add to a plaintext when encrypting.</summary>
    public const int CiphertextOverheadBytes = 65 + Sm3.HashBytes;

    private static readonly ECDomainParameters s_curve = ECNamedDomainParameters.LookupOid(GMObjectIdentifiers.sm2p256v1);

    /// <summary>
    /// A new key pair. The parameters carry the curve OID, so SPKI and PKCS#8 encode
    /// <c>namedCurve 1.2.156.10197.1.301</c> (explicit parameters would break OpenSSL and other tools).
    /// </summary>
    public static AsymmetricCipherKeyPair GenerateKeyPair(SecureRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(GMObjectIdentifiers.sm2p256v1, random));
        return generator.GenerateKeyPair();
    }

    /// <summary>True when <paramref name="key"/> is an EC key on sm2p256v1 (public or private).</summary>
    public static bool IsSm2Key(AsymmetricKeyParameter? key) =>
        key is ECKeyParameters ec && ec.Parameters.Equals(s_curve);

    /// <summary>The public key of an SM2 private key (d·G).</summary>
    public static ECPublicKeyParameters PublicKeyOf(AsymmetricKeyParameter privateKey)
    {
        var priv = RequirePrivate(privateKey);
        var (x, y) = Sm2Fast.PublicKeyOf(priv);
        var q = priv.Parameters.Curve.CreatePoint(new BigInteger(1, x), new BigInteger(1, y));
        return new ECPublicKeyParameters(priv.AlgorithmName, q, priv.Parameters);
    }

    /// <summary>SM3withSM2 signature of <paramref name="data"/>, DER <c>SEQUENCE{r,s}</c> (70–72 bytes).</summary>
    public static byte[] Sign(AsymmetricKeyParameter privateKey, ReadOnlySpan<byte> data, SecureRandom random)
    {
        var priv = RequirePrivate(privateKey);
        ArgumentNullException.ThrowIfNull(random);
        return Sm2Fast.Sign(priv, data, random);
    }

    /// <summary>
    /// True when <paramref name="signature"/> is a valid DER SM3withSM2 signature of <paramref name="data"/>.
    /// Never throws on hostile signature bytes; a key that is not SM2 is a programming error and throws.
    /// </summary>
    public static bool Verify(AsymmetricKeyParameter publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (publicKey.IsPrivate || !IsSm2Key(publicKey) || publicKey is not ECPublicKeyParameters pub)
        {
            throw new ArgumentException("An SM2 public key on sm2p256v1 is required.", nameof(publicKey));
        }

        return Sm2Fast.Verify(pub, data, signature);
    }

    /// <summary>SM2 encryption, output <c>C1‖C3‖C2</c> (GM/T 0009 order; BouncyCastle's default is C1C2C3).</summary>
    public static byte[] Encrypt(AsymmetricKeyParameter publicKey, ReadOnlySpan<byte> plaintext, SecureRandom random)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        ArgumentNullException.ThrowIfNull(random);
        if (publicKey.IsPrivate || !IsSm2Key(publicKey))
        {
            throw new ArgumentException("An SM2 public key on sm2p256v1 is required.", nameof(publicKey));
        }

        if (plaintext.IsEmpty)
        {
            throw new ArgumentException("SM2 cannot encrypt an empty message.", nameof(plaintext));
        }

        var engine = new SM2Engine(new Sm3DigestAdapter(), SM2Engine.Mode.C1C3C2);
        engine.Init(true, new ParametersWithRandom(publicKey, random));
        var input = plaintext.ToArray();
        return engine.ProcessBlock(input, 0, input.Length);
    }

    /// <summary>Decrypts <c>C1‖C3‖C2</c>; false when the ciphertext is malformed or its C3 check fails.</summary>
    public static bool TryDecrypt(AsymmetricKeyParameter privateKey, ReadOnlySpan<byte> ciphertext, out byte[] plaintext)
    {
        var priv = RequirePrivate(privateKey);
        plaintext = [];
        if (ciphertext.Length <= CiphertextOverheadBytes)
        {
            return false;
        }

        var engine = new SM2Engine(new Sm3DigestAdapter(), SM2Engine.Mode.C1C3C2);
        engine.Init(false, priv);
        var input = ciphertext.ToArray();
        try
        {
            plaintext = engine.ProcessBlock(input, 0, input.Length);
            return true;
        }
        catch (Exception e) when (e is InvalidCipherTextException or ArgumentException or InvalidOperationException or ArithmeticException)
        {
            return false;
        }
    }

    /// <summary>Decrypts <c>C1‖C3‖C2</c>; throws <see cref="CryptographicException"/> when it fails.</summary>
    public static byte[] Decrypt(AsymmetricKeyParameter privateKey, ReadOnlySpan<byte> ciphertext) =>
        TryDecrypt(privateKey, ciphertext, out var plaintext)
            ? plaintext
            : throw new CryptographicException("The SM2 ciphertext is malformed or was not made for this key.");

    private static ECPrivateKeyParameters RequirePrivate(AsymmetricKeyParameter key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key is ECPrivateKeyParameters priv && IsSm2Key(priv)
            ? priv
            : throw new ArgumentException("An SM2 private key on sm2p256v1 is required.", nameof(key));
    }
}
