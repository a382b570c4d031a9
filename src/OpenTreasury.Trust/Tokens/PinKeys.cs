using System.Security.Cryptography;
using System.Text;

using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Trust.Tokens;

/// <summary>
/// What a PIN turns into: one PBKDF2-HMAC-SM3 run gives a 32-byte master secret, and two HMAC-SM3 labels
/// split it into a verifier (stored, compared in constant time) and an SM4 key-encryption key (never
/// stored). The verifier lets the token decide "wrong PIN" before touching the sealed key, so the retry
/// counter is explicit; the GCM tag is a second check that catches an altered file.
/// </summary>
internal static class PinKeys
{
    /// <summary>PIN length in characters, as most UKey vendors allow.</summary>
    public const int PinLengthMin = 6;
    public const int PinLengthMax = 16;

    public const int SaltBytes = 16;

    /// <summary>
    /// PBKDF2 iterations for new PINs. Measured on the 2-core development machine: about 40 ms per
    /// derivation in managed BouncyCastle, so open + verify PIN + sign stays under 100 ms (about 42 ms).
    /// The count is stored per PIN, so raising it later leaves existing tokens readable.
    /// </summary>
    public const int IterationsDefault = 30_000;

    /// <summary>A file asking for fewer iterations is treated as corrupt (a downgrade, not a choice).</summary>
    public const int IterationsMin = 20_000;

    /// <summary>Upper bound so a hostile file cannot make the token spin for minutes.</summary>
    public const int IterationsMax = 10_000_000;

    private static readonly byte[] s_verifierLabel = "OpenTreasury SoftUsbKey PIN verifier"u8.ToArray();
    private static readonly byte[] s_keyLabel = "OpenTreasury SoftUsbKey key encryption key"u8.ToArray();

    public static bool IsValidPin(string? pin) => pin is { Length: >= PinLengthMin and <= PinLengthMax };

    public static string PinRule => $"a PIN has {PinLengthMin} to {PinLengthMax} characters";

    public static byte[] NewSalt(SecureRandom random)
    {
        var salt = new byte[SaltBytes];
        random.NextBytes(salt);
        return salt;
    }

    /// <summary>(verifier 32 bytes, key-encryption key 16 bytes) for <paramref name="pin"/>.</summary>
    public static (byte[] Verifier, byte[] Kek) Derive(string pin, byte[] salt, int iterations)
    {
        var password = Encoding.UTF8.GetBytes(pin);
        var generator = new Pkcs5S2ParametersGenerator(new Sm3DigestAdapter());
        generator.Init(password, salt, iterations);
        var master = ((KeyParameter)generator.GenerateDerivedMacParameters(Sm3.HashBytes * 8)).GetKey();
        CryptographicOperations.ZeroMemory(password);
        var verifier = HmacSm3(master, s_verifierLabel);
        var kek = HmacSm3(master, s_keyLabel)[..Sm4.KeyBytes];
        CryptographicOperations.ZeroMemory(master);
        return (verifier, kek);
    }

    public static bool Matches(byte[] verifier, byte[] stored) => CryptographicOperations.FixedTimeEquals(verifier, stored);

    private static byte[] HmacSm3(byte[] key, byte[] data)
    {
        var mac = new HMac(new Sm3DigestAdapter());
        mac.Init(new KeyParameter(key));
        mac.BlockUpdate(data, 0, data.Length);
        var output = new byte[mac.GetMacSize()];
        mac.DoFinal(output, 0);
        return output;
    }
}
