using System.Security.Cryptography;

using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Trust.Crypto;

/// <summary>
/// SM4 (GB/T 32907) in GCM mode: authenticated encryption for transport envelopes. A sealed message is
/// <c>nonce (12) ‖ ciphertext ‖ tag (16)</c>; associated data (e.g. an envelope header) is authenticated
/// but not encrypted.
/// </summary>
/// <remarks>
/// Nonces are random 96-bit values. That is safe for up to about 2^32 messages under one key, far more
/// than one envelope key will ever seal; keys are meant to be per envelope or per session.
/// </remarks>
public static class Sm4
{
    public const int KeyBytes = 16;
    public const int NonceBytes = 12;
    public const int TagBytes = 16;
    public const int OverheadBytes = NonceBytes + TagBytes;

    public static byte[] GenerateKey(SecureRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var key = new byte[KeyBytes];
        random.NextBytes(key);
        return key;
    }

    /// <summary>Encrypts and authenticates: <c>nonce ‖ ciphertext ‖ tag</c>.</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, SecureRandom random, ReadOnlySpan<byte> associatedData = default)
    {
        ArgumentNullException.ThrowIfNull(random);
        RequireKey(key);
        var sealedBytes = new byte[checked(NonceBytes + plaintext.Length + TagBytes)];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        random.NextBytes(nonce);
        var cipher = NewCipher(true, key, nonce, associatedData);
        var body = sealedBytes.AsSpan(NonceBytes);
        var written = cipher.ProcessBytes(plaintext, body);
        written += cipher.DoFinal(body[written..]);
        Invariant(written == plaintext.Length + TagBytes);
        return sealedBytes;
    }

    /// <summary>False when the message is too short, or was altered, or the key or associated data differ.</summary>
    public static bool TryDecrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedBytes, out byte[] plaintext, ReadOnlySpan<byte> associatedData = default)
    {
        RequireKey(key);
        plaintext = [];
        if (sealedBytes.Length < OverheadBytes)
        {
            return false;
        }

        var cipher = NewCipher(false, key, sealedBytes[..NonceBytes], associatedData);
        var body = sealedBytes[NonceBytes..];
        var output = new byte[body.Length - TagBytes];
        try
        {
            var written = cipher.ProcessBytes(body, output);
            written += cipher.DoFinal(output.AsSpan(written));
            Invariant(written == output.Length);
        }
        catch (InvalidCipherTextException)
        {
            CryptographicOperations.ZeroMemory(output);
            return false;
        }

        plaintext = output;
        return true;
    }

    /// <summary>Decrypts; throws <see cref="CryptographicException"/> when authentication fails.</summary>
    public static byte[] Decrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedBytes, ReadOnlySpan<byte> associatedData = default) =>
        TryDecrypt(key, sealedBytes, out var plaintext, associatedData)
            ? plaintext
            : throw new CryptographicException("The SM4-GCM message was altered or the key or associated data differ.");

    private static GcmBlockCipher NewCipher(bool forEncryption, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData)
    {
        var cipher = new GcmBlockCipher(new SM4Engine());
        cipher.Init(forEncryption, new AeadParameters(new KeyParameter(key), TagBytes * 8, nonce.ToArray(), associatedData.ToArray()));
        return cipher;
    }

    private static void RequireKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyBytes)
        {
            throw new ArgumentException($"An SM4 key is {KeyBytes} bytes, not {key.Length}.", nameof(key));
        }
    }

    private static void Invariant(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("SM4-GCM produced an unexpected length.");
        }
    }
}
