namespace OpenTreasury.Trust.Certificates;

/// <summary>Why a private key file could not be written or read; stable codes (<c>KEYFILE-&lt;n&gt;</c>).</summary>
public enum KeyFileFailure
{
    None = 0,
    Malformed = 1,            // not PEM, not an EncryptedPrivateKeyInfo, or too large
    NotEncrypted = 2,         // a plain PRIVATE KEY where an encrypted one is required
    UnsupportedAlgorithm = 3, // not PBES2 / PBKDF2-HMAC-SHA256 / SM4-CBC or AES-CBC, or an iteration count out of bounds
    WrongPassphrase = 4,      // the passphrase does not open the key (or the ciphertext was altered)
    NotSm2 = 5,               // the key inside is not an SM2 private key on sm2p256v1
    PassphraseMissing = 6,    // no explicit passphrase, no environment variable, no terminal to ask
    PassphraseInvalid = 7,    // too short to protect a new key, or too long
}

/// <summary>
/// A key file refused, with its stable <see cref="Failure"/> code. The message is Simplified Chinese for operators
/// and starts with <c>[KEYFILE-&lt;n&gt;]</c>; no BouncyCastle exception leaks out as the cause.
/// </summary>
public sealed class KeyFileException : Exception
{
    public KeyFileException()
        : this(KeyFileFailure.Malformed, "密钥文件无法读取。")
    {
    }

    public KeyFileException(string message)
        : this(KeyFileFailure.Malformed, message)
    {
    }

    public KeyFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        Failure = KeyFileFailure.Malformed;
    }

    public KeyFileException(KeyFileFailure failure, string message)
        : base($"[KEYFILE-{(int)failure}] {message}")
    {
        if (failure == KeyFileFailure.None)
        {
            throw new ArgumentException("A failure needs a code.", nameof(failure));
        }

        Failure = failure;
    }

    public KeyFileFailure Failure { get; }
}
