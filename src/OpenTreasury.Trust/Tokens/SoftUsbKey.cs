using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using OpenTreasury.Domain.Parties;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Tokens;

/// <summary>
/// A software USBKey ("virtual UKey") behind the SKF-shaped interfaces, for development, CI and users
/// without hardware. One JSON file per token holds serial, label, owner, the application
/// <see cref="ApplicationName"/> with one container <see cref="SignContainerName"/> (certificate and SM2
/// signing key), the PIN verifiers and retry counters. The private key is stored only sealed with
/// SM4-GCM, once under a key derived from the user PIN and once under one derived from the administrator
/// PIN (so <c>UnblockPin</c> can re-seal it under a new user PIN, as <c>SKF_UnblockPIN</c> does).
/// </summary>
/// <remarks>
/// <para>Every PIN operation re-reads the file, decides, and writes the new counters (temp file, flush,
/// rename) before it answers, so neither a crash nor a second handle on the same file gives free tries.
/// Handles in one process take turns per file; two processes using one token file at the same moment
/// are not coordinated (the later write wins), which a per-user token file makes unlikely.</para>
/// <para>A lock is more than the counter: locking a PIN overwrites its verifier and the key sealed under it
/// with zeros, so setting the counter back in the file unlocks nothing (the administrator PIN re-seals the
/// key from its own copy). Between locks the counter is a number in the file: lowering the count of wrong
/// tries by editing it is not detected (a hardware token, or the node's own count, is the answer).</para>
/// <para>What the retry counter is worth: it stops guessing through this API. Someone who copies the
/// file can guess offline, limited only by PBKDF2's cost and the PIN's length; a hardware token is the
/// answer to that threat, not a bigger counter. Keep the file 0600 (it is created so).</para>
/// <para>The key pair comes from the caller, who has already had the certificate issued for it: a
/// software token gains nothing from generating keys inside, and the CA flow stays where it is.</para>
/// </remarks>
public sealed class SoftUsbKey : IUsbKeyDevice
{
    public const string ApplicationName = "OpenTreasury";
    public const string SignContainerName = "sign";
    public const string ManufacturerName = "OpenTreasury SoftUsbKey";

    /// <summary>Wrong user PINs before the token locks (SKF tokens commonly use 5..10).</summary>
    public const int UserPinRetriesMax = 5;

    /// <summary>Wrong administrator PINs before the token is locked for good and must be re-issued.</summary>
    public const int AdminPinRetriesMax = 10;

    /// <summary>A token file is a few KiB; anything bigger is not one and is not read whole.</summary>
    public const int FileBytesMax = 64 * 1024;

    private readonly SoftUsbKeyApplication _application;

    private SoftUsbKey(string path, SoftUsbKeyFile file, SecureRandom random)
    {
        Path = path;
        Serial = file.Serial;
        Label = file.Label;
        Manufacturer = file.Manufacturer;
        Owner = PartyId.Parse(file.Owner);
        UserId = file.UserId;
        _application = new SoftUsbKeyApplication(this, file, random);
    }

    public string Path { get; }

    public string Serial { get; }

    public string Label { get; }

    public string Manufacturer { get; }

    /// <summary>The party whose key this is.</summary>
    public PartyId Owner { get; }

    /// <summary>The SM2 user ID the owner signs with.</summary>
    public string UserId { get; }

    public IReadOnlyList<string> ApplicationNames { get; } = [ApplicationName];

    /// <summary>
    /// Writes a new token to <paramref name="path"/> (which must not exist) and returns it, not logged in.
    /// Invalid PINs, a certificate for another key or a non-SM2 key are programming errors and throw.
    /// </summary>
    public static SoftUsbKey Create(
        string path,
        string serial,
        string label,
        PartyId owner,
        string userId,
        AsymmetricCipherKeyPair keys,
        X509Certificate certificate,
        string userPin,
        string adminPin,
        SecureRandom random)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(serial);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(random);
        if (keys.Private is not ECPrivateKeyParameters priv || !Sm2.IsSm2Key(priv) || keys.Public is not ECPublicKeyParameters pub)
        {
            throw new ArgumentException("An SM2 key pair on sm2p256v1 is required.", nameof(keys));
        }

        if (!pub.Q.Equals(priv.Parameters.G.Multiply(priv.D)) || !certificate.GetPublicKey().Equals(pub))
        {
            throw new ArgumentException("The certificate and the key pair must belong together.", nameof(certificate));
        }

        RequirePin(userPin, nameof(userPin));
        RequirePin(adminPin, nameof(adminPin));
        _ = Sm2Digest.ComputeZ(pub, userId); // Throws for an ID too long for ENTL.

        var d = BigIntegers.AsUnsignedByteArray(Sm2SignatureForms.ScalarBytes, priv.D);
        try
        {
            var (userSlot, keyUnderUser) = NewPin(userPin, UserPinRetriesMax, d, SealLabel(serial, SignContainerName, user: true), random);
            var (adminSlot, keyUnderAdmin) = NewPin(adminPin, AdminPinRetriesMax, d, SealLabel(serial, SignContainerName, user: false), random);
            var file = new SoftUsbKeyFile
            {
                Format = SoftUsbKeyFile.CurrentFormat,
                Serial = serial,
                Label = label,
                Manufacturer = ManufacturerName,
                Owner = owner.ToString(),
                UserId = userId,
                Application = new SoftApplication
                {
                    Name = ApplicationName,
                    UserPin = userSlot,
                    AdminPin = adminSlot,
                    Containers =
                    [
                        new SoftContainer
                        {
                            Name = SignContainerName,
                            PublicKey = Pem.WritePublicKey(pub),
                            Certificate = Pem.WriteCertificate(certificate),
                            KeyUnderUserPin = keyUnderUser,
                            KeyUnderAdminPin = keyUnderAdmin,
                        },
                    ],
                },
            };
            if (File.Exists(path))
            {
                throw new IOException($"'{path}' exists; a token is never created over another.");
            }

            WriteAtomically(path, file);
            return new SoftUsbKey(path, file, random);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    /// <summary>
    /// Opens the token at <paramref name="path"/>, not logged in. A damaged or altered file answers
    /// <see cref="TokenError.FileCorrupt"/>; a missing file throws <see cref="FileNotFoundException"/>
    /// (a configuration error, not a token state).
    /// </summary>
    public static TokenResult<IUsbKeyDevice> Open(string path, SecureRandom random)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(random);
        var read = Read(path, expectedSerial: null);
        return read.Succeeded
            ? TokenResult.Ok<IUsbKeyDevice>(new SoftUsbKey(path, read.Value!, random))
            : read.As<IUsbKeyDevice>();
    }

    public IUsbKeyApplication OpenApplication(string name) =>
        name == ApplicationName ? _application : throw new ArgumentException($"The token has no application '{name}'.", nameof(name));

    /// <summary>Ends the session: the decrypted key is dropped.</summary>
    public void Dispose() => _application.Logout();

    internal static void RequirePin(string pin, string parameterName)
    {
        if (!PinKeys.IsValidPin(pin))
        {
            throw new ArgumentException($"Invalid PIN: {PinKeys.PinRule}.", parameterName);
        }
    }

    /// <summary>Associated data of a sealed key: binds it to its token, container and PIN slot.</summary>
    internal static byte[] SealLabel(string serial, string container, bool user) =>
        Encoding.UTF8.GetBytes($"{SoftUsbKeyFile.CurrentFormat}|{serial}|{container}|{(user ? "user" : "admin")}");

    /// <summary>A fresh PIN slot (new salt) and the scalar sealed under it.</summary>
    internal static (SoftPin Pin, byte[] SealedKey) NewPin(string pin, int maxRetries, byte[] d, byte[] sealLabel, SecureRandom random)
    {
        var salt = PinKeys.NewSalt(random);
        var (verifier, kek) = PinKeys.Derive(pin, salt, PinKeys.IterationsDefault);
        try
        {
            var slot = new SoftPin
            {
                Salt = salt,
                Iterations = PinKeys.IterationsDefault,
                Verifier = verifier,
                MaxRetries = maxRetries,
                RemainingRetries = maxRetries,
            };
            return (slot, Sm4.Encrypt(kek, d, random, sealLabel));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }
    }

    /// <summary>
    /// The file, checked whole: JSON shape, format, serial (when the token is already open), owner, PIN
    /// parameters, the one application and container, a public key on sm2p256v1 and a certificate for it.
    /// </summary>
    internal static TokenResult<SoftUsbKeyFile> Read(string path, string? expectedSerial)
    {
        byte[] bytes;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            if (stream.Length > FileBytesMax)
            {
                return Corrupt($"the token file is {stream.Length} bytes, more than {FileBytesMax}");
            }

            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }

        SoftUsbKeyFile file;
        try
        {
            file = SoftUsbKeyFile.Parse(bytes);
        }
        catch (JsonException e)
        {
            return Corrupt("the token file is not a token: " + e.Message);
        }

        var problem = Check(file, expectedSerial);
        return problem is null ? TokenResult.Ok(file) : Corrupt(problem);
    }

    internal static void WriteAtomically(string path, SoftUsbKeyFile file)
    {
        var json = file.ToJson();
        // A name of its own, so a writer never opens another writer's half-written temp file.
        var temp = path + "." + System.IO.Path.GetRandomFileName() + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        {
            stream.Write(json);
            // The bytes reach the disk before the rename publishes them: after a crash the old file or the
            // new one is there, never a torn one.
            stream.Flush(flushToDisk: true);
        }

        try
        {
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static string? Check(SoftUsbKeyFile file, string? expectedSerial)
    {
        if (file.Format != SoftUsbKeyFile.CurrentFormat)
        {
            return $"unknown token format '{file.Format}'";
        }

        if (expectedSerial is not null && file.Serial != expectedSerial)
        {
            return $"the token file now belongs to serial '{file.Serial}', not '{expectedSerial}'";
        }

        if (!PartyId.TryParse(file.Owner, out _))
        {
            return $"'{file.Owner}' is not a party";
        }

        if (Encoding.UTF8.GetByteCount(file.UserId) > Sm2Digest.UserIdBytesMax)
        {
            return "the user ID is too long";
        }

        var application = file.Application;
        if (application.Name != ApplicationName || application.Containers.Count != 1 || application.Containers[0].Name != SignContainerName)
        {
            return $"the token holds something other than application '{ApplicationName}' with container '{SignContainerName}'";
        }

        return CheckPin(application.UserPin, UserPinRetriesMax, "user")
            ?? CheckPin(application.AdminPin, AdminPinRetriesMax, "administrator")
            ?? CheckContainer(application.Containers[0]);
    }

    private static string? CheckPin(SoftPin pin, int maxRetries, string who) =>
        pin.Salt.Length != PinKeys.SaltBytes
        || pin.Iterations is < PinKeys.IterationsMin or > PinKeys.IterationsMax
        || pin.Verifier.Length != Sm3.HashBytes
        || pin.MaxRetries != maxRetries
        || pin.RemainingRetries < 0
        || pin.RemainingRetries > pin.MaxRetries
            ? $"the {who} PIN record is damaged"
            : null;

    private static string? CheckContainer(SoftContainer container)
    {
        var sealedBytes = Sm4.OverheadBytes + Sm2SignatureForms.ScalarBytes;
        if (container.KeyUnderUserPin.Length != sealedBytes || container.KeyUnderAdminPin.Length != sealedBytes)
        {
            return "a sealed key has the wrong length";
        }

        try
        {
            if (Pem.ReadPublicKey(container.PublicKey) is not ECPublicKeyParameters pub || !Sm2.IsSm2Key(pub))
            {
                return "the container's public key is not SM2";
            }

            if (container.Certificate is not null && !Pem.ReadCertificate(container.Certificate).GetPublicKey().Equals(pub))
            {
                return "the container's certificate is for another key";
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or InvalidOperationException
            or FormatException or Org.BouncyCastle.Security.Certificates.CertificateException or SecurityUtilityException
            or Org.BouncyCastle.Asn1.Asn1Exception)
        {
            return "the container's key or certificate does not parse: " + e.Message;
        }

        return null;
    }

    private static TokenResult<SoftUsbKeyFile> Corrupt(string why) =>
        TokenResult.Fail(TokenError.FileCorrupt, "the token file is damaged or was altered (" + why + ")").As<SoftUsbKeyFile>();
}
