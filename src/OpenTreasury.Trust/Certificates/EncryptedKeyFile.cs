using System.Security.Cryptography;
using System.Text;

using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Paddings;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities.IO.Pem;

using PemReader = Org.BouncyCastle.Utilities.IO.Pem.PemReader;
using PemWriter = Org.BouncyCastle.Utilities.IO.Pem.PemWriter;

namespace OpenTreasury.Trust.Certificates;

/// <summary>
/// An SM2 private key encrypted at rest: PEM <c>ENCRYPTED PRIVATE KEY</c>, a PKCS#8 EncryptedPrivateKeyInfo
/// (RFC 5958) with PBES2 (RFC 8018): PBKDF2-HMAC-SHA256, a random 16-byte salt, <see cref="Iterations"/>
/// iterations, and SM4-CBC (1.2.156.10197.1.104.2) with a random IV over the DER PrivateKeyInfo.
/// </summary>
/// <remarks>
/// <para>OpenSSL 3 reads what this writes and writes what this reads (tested in <c>EncryptedKeyFileOpenSslTests</c>):
/// <c>openssl pkey -in node.key.pem -passin env:OPENTREASURY_KEY_PASSPHRASE</c> decrypts it, and a key made by
/// <c>openssl pkcs8 -topk8 -v2 sm4-cbc -v2prf hmacWithSHA256 -iter 600000</c> (or <c>-v2 aes-256-cbc</c>) is read
/// here. HMAC-SM3 would be the national PRF, but OpenSSL 3.0 does not accept it as a PBKDF2 PRF
/// (<c>pkcs8: Unknown PRF algorithm hmacWithSM3</c>), so SHA-256 it is.</para>
/// <para>Reading accepts PBES2 with PBKDF2-HMAC-SHA256 and SM4-CBC, AES-128-CBC or AES-256-CBC, with 1 to
/// <see cref="IterationsMax"/> iterations (OpenSSL's own default is 2048; a key file is its owner's, so a low count is
/// read, only new keys get <see cref="Iterations"/>). The passphrase is used as its UTF-8 bytes, as OpenSSL uses the
/// bytes it is given on a UTF-8 system.</para>
/// <para>A wrong passphrase and an altered ciphertext look the same to CBC: both are
/// <see cref="KeyFileFailure.WrongPassphrase"/>. No integrity beyond that: a file someone can write, they can replace.</para>
/// </remarks>
public static class EncryptedKeyFile
{
    public const string PemLabel = "ENCRYPTED PRIVATE KEY";

    /// <summary>
    /// PBKDF2-HMAC-SHA256 iterations for new keys: the OWASP 2023 figure for PBKDF2-HMAC-SHA256. Measured on the
    /// 2-core development machine: about 0.2 s per derivation (.NET's native PBKDF2), paid once when a node starts.
    /// The count is stored in the file, so raising it later leaves existing files readable.
    /// </summary>
    public const int Iterations = 600_000;

    /// <summary>Upper bound on the iterations of a file read, so a hostile file cannot make a node spin for minutes.</summary>
    public const int IterationsMax = 10_000_000;

    public const int SaltBytes = 16;

    /// <summary>Characters a passphrase needs to protect a new key; reading accepts any non-empty passphrase.</summary>
    public const int PassphraseLengthMin = 8;

    public const int PassphraseLengthMax = 1024;

    /// <summary>Characters of a key file read; an SM2 key file is about 400.</summary>
    public const int PemLengthMax = 16 * 1024;

    private const int BlockBytes = 16;

    private static readonly DerObjectIdentifier s_sm4Cbc = GMObjectIdentifiers.sms4_cbc;

    /// <summary>The PEM text of <paramref name="privateKey"/> (SM2) encrypted under <paramref name="passphrase"/>.</summary>
    /// <exception cref="KeyFileException"><see cref="KeyFileFailure.PassphraseInvalid"/> or <see cref="KeyFileFailure.NotSm2"/>.</exception>
    /// <param name="iterations">PBKDF2 iterations, <see cref="Iterations"/> unless the passphrase is public anyway (a demo network).</param>
    public static string Write(AsymmetricKeyParameter privateKey, ReadOnlySpan<char> passphrase, SecureRandom random, int iterations = Iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, IterationsMax);
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(random);
        if (!privateKey.IsPrivate || !Sm2.IsSm2Key(privateKey))
        {
            throw new KeyFileException(KeyFileFailure.NotSm2, "只能加密保存 SM2 私钥。");
        }

        if (passphrase.Length < PassphraseLengthMin || passphrase.Length > PassphraseLengthMax)
        {
            throw new KeyFileException(
                KeyFileFailure.PassphraseInvalid, $"私钥口令须为 {PassphraseLengthMin} 至 {PassphraseLengthMax} 个字符，现为 {passphrase.Length} 个。");
        }

        var salt = new byte[SaltBytes];
        random.NextBytes(salt);
        var iv = new byte[BlockBytes];
        random.NextBytes(iv);
        var plain = PrivateKeyInfoFactory.CreatePrivateKeyInfo(privateKey).GetDerEncoded();
        var key = Derive(passphrase, salt, iterations, Sm4KeyBytes);
        try
        {
            var encrypted = Crypt(true, NewCbc(s_sm4Cbc), key, iv, plain);
            var kdf = new KeyDerivationFunc(
                PkcsObjectIdentifiers.IdPbkdf2,
                new Pbkdf2Params(salt, iterations, new AlgorithmIdentifier(PkcsObjectIdentifiers.IdHmacWithSha256, DerNull.Instance)));
            var scheme = new EncryptionScheme(s_sm4Cbc, new DerOctetString(iv));
            var algorithm = new AlgorithmIdentifier(PkcsObjectIdentifiers.IdPbeS2, new PbeS2Parameters(kdf, scheme));
            var info = new EncryptedPrivateKeyInfo(algorithm, encrypted);
            using var text = new StringWriter();
            var writer = new PemWriter(text);
            writer.WriteObject(new PemObject(PemLabel, info.GetDerEncoded()));
            writer.Writer.Flush();
            return text.ToString();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>True when <paramref name="pem"/> starts with an <c>ENCRYPTED PRIVATE KEY</c> block (to tell old plain files apart).</summary>
    public static bool IsEncrypted(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        return TryReadBlock(pem, out var label, out _) && label == PemLabel;
    }

    /// <summary>The SM2 private key in <paramref name="pem"/>, decrypted with <paramref name="passphrase"/>.</summary>
    /// <exception cref="KeyFileException">With the reason as its <see cref="KeyFileException.Failure"/>.</exception>
    public static AsymmetricKeyParameter Read(string pem, ReadOnlySpan<char> passphrase)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (pem.Length > PemLengthMax)
        {
            throw new KeyFileException(KeyFileFailure.Malformed, $"密钥文件过大（{pem.Length} 个字符，上限 {PemLengthMax}）。");
        }

        if (!TryReadBlock(pem, out var label, out var der))
        {
            throw new KeyFileException(KeyFileFailure.Malformed, "密钥文件不是 PEM 格式。");
        }

        if (label == "PRIVATE KEY")
        {
            throw new KeyFileException(KeyFileFailure.NotEncrypted, "密钥文件未加密；请用口令加密后再使用。");
        }

        if (label != PemLabel)
        {
            throw new KeyFileException(KeyFileFailure.Malformed, $"密钥文件的 PEM 类型为 “{label}”，应为 “{PemLabel}”。");
        }

        if (passphrase.IsEmpty || passphrase.Length > PassphraseLengthMax)
        {
            throw new KeyFileException(KeyFileFailure.PassphraseInvalid, $"私钥口令须为 1 至 {PassphraseLengthMax} 个字符。");
        }

        var (cipher, iv, salt, iterations, keyBytes, encrypted) = Parse(der);
        var key = Derive(passphrase, salt, iterations, keyBytes);
        byte[] plain;
        try
        {
            plain = Crypt(false, NewCbc(cipher), key, iv, encrypted);
        }
        catch (InvalidCipherTextException)
        {
            throw WrongPassphrase();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        try
        {
            // Padding that happens to look right under a wrong key leaves garbage, not a PrivateKeyInfo.
            var privateKey = PrivateKeyFactory.CreateKey(PrivateKeyInfo.GetInstance(Asn1Object.FromByteArray(plain)));
            return privateKey.IsPrivate && Sm2.IsSm2Key(privateKey)
                ? privateKey
                : throw new KeyFileException(KeyFileFailure.NotSm2, "密钥文件中的私钥不是 SM2（sm2p256v1）私钥。");
        }
        catch (Exception e) when (e is not KeyFileException and not OutOfMemoryException)
        {
            throw WrongPassphrase();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>
    /// Writes <paramref name="privateKey"/> encrypted to <paramref name="path"/>: a temporary file created with mode 0600
    /// in the same directory, renamed over the target, so the key is never readable by others nor half written.
    /// </summary>
    public static void Save(string path, AsymmetricKeyParameter privateKey, ReadOnlySpan<char> passphrase, SecureRandom random, int iterations = Iterations) =>
        OwnerOnlyFile.WriteAtomically(path, Write(privateKey, passphrase, random, iterations));

    /// <summary>Reads a file written by <see cref="Save"/> (or by OpenSSL, see the remarks).</summary>
    /// <exception cref="KeyFileException">With the reason as its <see cref="KeyFileException.Failure"/>.</exception>
    public static AsymmetricKeyParameter Load(string path, ReadOnlySpan<char> passphrase)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (info.Exists && info.Length > PemLengthMax)
        {
            throw new KeyFileException(KeyFileFailure.Malformed, $"密钥文件 {path} 过大（{info.Length} 字节）。");
        }

        return Read(File.ReadAllText(path, Encoding.ASCII), passphrase);
    }

    private const int Sm4KeyBytes = 16;

    private static KeyFileException WrongPassphrase() =>
        new(KeyFileFailure.WrongPassphrase, "私钥口令错误，或密钥文件已损坏。");

    private static KeyFileException Unsupported(string what) =>
        new(KeyFileFailure.UnsupportedAlgorithm, $"不支持的密钥加密方式：{what}（支持 PBES2、PBKDF2-HMAC-SHA256、SM4-CBC 或 AES-CBC）。");

    private static (DerObjectIdentifier Cipher, byte[] Iv, byte[] Salt, int Iterations, int KeyBytes, byte[] Encrypted) Parse(byte[] der)
    {
        EncryptedPrivateKeyInfo info;
        PbeS2Parameters pbes2;
        try
        {
            info = EncryptedPrivateKeyInfo.GetInstance(Asn1Object.FromByteArray(der));
            if (!PkcsObjectIdentifiers.IdPbeS2.Equals(info.EncryptionAlgorithm.Algorithm))
            {
                throw Unsupported($"加密算法 {info.EncryptionAlgorithm.Algorithm}（不是 PBES2）");
            }

            pbes2 = PbeS2Parameters.GetInstance(info.EncryptionAlgorithm.Parameters);
        }
        catch (Exception e) when (e is not KeyFileException and not OutOfMemoryException)
        {
            throw new KeyFileException(KeyFileFailure.Malformed, "密钥文件不是合法的 PKCS#8 加密私钥（EncryptedPrivateKeyInfo）。");
        }

        if (!PkcsObjectIdentifiers.IdPbkdf2.Equals(pbes2.KeyDerivationFunc.Algorithm))
        {
            throw Unsupported($"密钥派生 {pbes2.KeyDerivationFunc.Algorithm}（不是 PBKDF2）");
        }

        Pbkdf2Params kdf;
        byte[] iv;
        try
        {
            kdf = Pbkdf2Params.GetInstance(pbes2.KeyDerivationFunc.Parameters);
            iv = Asn1OctetString.GetInstance(pbes2.EncryptionScheme.Parameters).GetOctets();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new KeyFileException(KeyFileFailure.Malformed, "密钥文件的 PBES2 参数无法解析。");
        }

        if (!PkcsObjectIdentifiers.IdHmacWithSha256.Equals(kdf.Prf.Algorithm))
        {
            throw Unsupported($"PBKDF2 伪随机函数 {kdf.Prf.Algorithm}");
        }

        var cipher = pbes2.EncryptionScheme.Algorithm;
        var keyBytes = cipher.Equals(s_sm4Cbc) || cipher.Equals(NistObjectIdentifiers.IdAes128Cbc) ? 16
            : cipher.Equals(NistObjectIdentifiers.IdAes256Cbc) ? 32
            : throw Unsupported($"对称算法 {cipher}");
        if (iv.Length != BlockBytes)
        {
            throw new KeyFileException(KeyFileFailure.Malformed, $"密钥文件的 IV 为 {iv.Length} 字节，应为 {BlockBytes} 字节。");
        }

        if (kdf.KeyLength is { } length && !length.Equals(Org.BouncyCastle.Math.BigInteger.ValueOf(keyBytes)))
        {
            throw new KeyFileException(KeyFileFailure.Malformed, $"密钥文件的 PBKDF2 密钥长度 {length} 与 {cipher} 不符。");
        }

        var iterations = kdf.IterationCount;
        if (iterations.SignValue <= 0 || iterations.BitLength > 31 || iterations.IntValue > IterationsMax)
        {
            throw Unsupported($"迭代次数 {iterations}（应为 1 至 {IterationsMax}）");
        }

        var salt = kdf.GetSalt();
        var encrypted = info.GetEncryptedData();
        if (salt.Length == 0 || encrypted.Length == 0 || encrypted.Length % BlockBytes != 0)
        {
            throw new KeyFileException(KeyFileFailure.Malformed, "密钥文件的盐值或密文长度不正确。");
        }

        return (cipher, iv, salt, iterations.IntValue, keyBytes, encrypted);
    }

    private static byte[] Derive(ReadOnlySpan<char> passphrase, byte[] salt, int iterations, int keyBytes)
    {
        var password = new byte[Encoding.UTF8.GetByteCount(passphrase)];
        try
        {
            Encoding.UTF8.GetBytes(passphrase, password);
            return Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, keyBytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
        }
    }

    private static PaddedBufferedBlockCipher NewCbc(DerObjectIdentifier cipher) =>
        new(new CbcBlockCipher(cipher.Equals(s_sm4Cbc) ? new SM4Engine() : new AesEngine()), new Pkcs7Padding());

    private static byte[] Crypt(bool encrypt, PaddedBufferedBlockCipher cipher, byte[] key, byte[] iv, byte[] input)
    {
        cipher.Init(encrypt, new ParametersWithIV(new KeyParameter(key), iv));
        return cipher.DoFinal(input);
    }

    private static bool TryReadBlock(string pem, out string label, out byte[] der)
    {
        label = "";
        der = [];
        try
        {
            using var text = new StringReader(pem);
            if (new PemReader(text).ReadPemObject() is not { } block)
            {
                return false;
            }

            (label, der) = (block.Type, block.Content);
            return true;
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException)
        {
            return false;
        }
    }
}
