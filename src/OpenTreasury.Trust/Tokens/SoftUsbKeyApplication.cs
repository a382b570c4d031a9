using System.Collections.Concurrent;
using System.Security.Cryptography;

using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;

using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Tokens;

/// <summary>
/// The application of a <see cref="SoftUsbKey"/>: PIN checks with persisted counters, and the session
/// (the decrypted signing key, held in memory between <see cref="VerifyPin"/> and <see cref="Logout"/>).
/// </summary>
internal sealed class SoftUsbKeyApplication : IUsbKeyApplication
{
    private readonly SoftUsbKey _device;
    private readonly SecureRandom _random;
    private readonly SoftUsbKeyContainer _container;
    // One gate per token file in this process: two handles on one file take turns, so neither loses the
    // other's counter update between its read and its write.
    private static readonly ConcurrentDictionary<string, Lock> s_gates = new(StringComparer.Ordinal);

    private readonly Lock _gate;
    private SoftUsbKeyFile _last;
    private ECPrivateKeyParameters? _sessionKey;

    public SoftUsbKeyApplication(SoftUsbKey device, SoftUsbKeyFile file, SecureRandom random)
    {
        _device = device;
        _random = random;
        _gate = s_gates.GetOrAdd(Path.GetFullPath(device.Path), _ => new Lock());
        _last = file;
        _container = new SoftUsbKeyContainer(this, file.Application.Containers[0], random);
        ContainerNames = [_container.Name];
    }

    public string Name => SoftUsbKey.ApplicationName;

    public IReadOnlyList<string> ContainerNames { get; }

    /// <summary>The user PIN's state as the file says now (as last seen, if the file has since been damaged).</summary>
    public PinInfo UserPin => InfoOf(Refresh().Application.UserPin);

    public PinInfo AdminPin => InfoOf(Refresh().Application.AdminPin);

    internal bool IsLoggedIn
    {
        get
        {
            lock (_gate)
            {
                return _sessionKey is not null;
            }
        }
    }

    public TokenResult VerifyPin(string pin)
    {
        lock (_gate)
        {
            _sessionKey = null;
            var check = CheckPin(PinSlot.User, pin, out var d);
            if (check.Succeeded)
            {
                _sessionKey = new ECPrivateKeyParameters("EC", new BigInteger(1, d), _container.PublicKey.Parameters);
                CryptographicOperations.ZeroMemory(d);
            }

            return check;
        }
    }

    public TokenResult ChangePin(string oldPin, string newPin)
    {
        lock (_gate)
        {
            if (!PinKeys.IsValidPin(newPin))
            {
                return TokenResult.Fail(TokenError.PinInvalid, $"the new PIN is not accepted: {PinKeys.PinRule}");
            }

            var check = CheckPin(PinSlot.User, oldPin, out var d);
            if (!check.Succeeded)
            {
                return check;
            }

            ResealUserKey(newPin, d);
            return TokenResult.PinOk(SoftUsbKey.UserPinRetriesMax);
        }
    }

    public TokenResult UnblockPin(string adminPin, string newUserPin)
    {
        lock (_gate)
        {
            if (!PinKeys.IsValidPin(newUserPin))
            {
                return TokenResult.Fail(TokenError.PinInvalid, $"the new user PIN is not accepted: {PinKeys.PinRule}");
            }

            var check = CheckPin(PinSlot.Admin, adminPin, out var d);
            if (!check.Succeeded)
            {
                return check;
            }

            // Whoever held a session did so under the old PIN; the user logs in again with the new one.
            _sessionKey = null;
            ResealUserKey(newUserPin, d);
            return TokenResult.PinOk(SoftUsbKey.UserPinRetriesMax);
        }
    }

    public void Logout()
    {
        lock (_gate)
        {
            // A BigInteger cannot be wiped; dropping the reference is what managed code can do.
            _sessionKey = null;
        }
    }

    public IUsbKeyContainer OpenContainer(string name) =>
        name == _container.Name ? _container : throw new ArgumentException($"The application has no container '{name}'.", nameof(name));

    /// <summary>The session key, or null when no user is logged in.</summary>
    internal ECPrivateKeyParameters? SessionKey
    {
        get
        {
            lock (_gate)
            {
                return _sessionKey;
            }
        }
    }

    /// <summary>
    /// Re-reads the token and ends the session when its user PIN has locked since the login (wrong PINs
    /// tried through another handle): a locked token signs nothing, as a hardware token would refuse.
    /// </summary>
    internal bool LockedSinceLogin()
    {
        var file = Refresh();
        if (!IsLocked(file.Application.UserPin))
        {
            return false;
        }

        Logout();
        return true;
    }

    private static PinInfo InfoOf(SoftPin pin) => IsLocked(pin) ? new(pin.MaxRetries, 0, true) : new(pin.MaxRetries, pin.RemainingRetries, false);

    /// <summary>
    /// Locked: the counter is at 0, or the slot was locked once and its verifier and sealed key erased since.
    /// The counter alone is only a number in a file; the erasure is what an edit cannot undo.
    /// </summary>
    private static bool IsLocked(SoftPin pin) => pin.RemainingRetries == 0 || pin.Verifier.AsSpan().IndexOfAnyExcept((byte)0) < 0;

    /// <summary>
    /// Locks a slot for good: the counter at 0, the PIN verifier and the key sealed under that PIN overwritten
    /// with zeros. Setting the counter back in the file then unlocks nothing: no PIN matches an erased
    /// verifier and no key is left to open. A locked user PIN is unblocked only with the administrator PIN,
    /// which re-seals the key from its own copy; a locked administrator PIN means the token is re-issued.
    /// </summary>
    private static SoftUsbKeyFile Lock(SoftUsbKeyFile file, PinSlot slot, SoftPin counted)
    {
        var erasedPin = counted with { RemainingRetries = 0, Verifier = new byte[counted.Verifier.Length] };
        var container = file.Application.Containers[0];
        var erasedContainer = slot == PinSlot.User
            ? container with { KeyUnderUserPin = new byte[container.KeyUnderUserPin.Length] }
            : container with { KeyUnderAdminPin = new byte[container.KeyUnderAdminPin.Length] };
        var locked = WithPin(file, slot, erasedPin);
        return locked with { Application = locked.Application with { Containers = [erasedContainer] } };
    }

    private SoftUsbKeyFile Refresh()
    {
        lock (_gate)
        {
            var read = SoftUsbKey.Read(_device.Path, _device.Serial);
            if (read.Succeeded)
            {
                _last = read.Value!;
            }

            return _last;
        }
    }

    /// <summary>
    /// Load, decide, record: reads the file, checks <paramref name="pin"/> against the slot's verifier,
    /// writes the new counter, then answers. On success <paramref name="d"/> is the unsealed scalar
    /// (the caller wipes it); otherwise it is empty.
    /// </summary>
    private TokenResult CheckPin(PinSlot slot, string pin, out byte[] d)
    {
        d = [];
        var read = SoftUsbKey.Read(_device.Path, _device.Serial);
        if (!read.Succeeded)
        {
            return TokenResult.Fail(read.Error, read.Message);
        }

        var file = read.Value!;
        _last = file;
        var record = slot == PinSlot.User ? file.Application.UserPin : file.Application.AdminPin;
        if (IsLocked(record))
        {
            return Locked(slot, record);
        }

        if (!PinKeys.IsValidPin(pin))
        {
            // A malformed PIN is refused before it is tried, as a token's driver does; it costs no try.
            return TokenResult.Fail(TokenError.PinInvalid, $"the PIN is not accepted: {PinKeys.PinRule}", record.RemainingRetries);
        }

        var (verifier, kek) = PinKeys.Derive(pin, record.Salt, record.Iterations);
        try
        {
            if (!PinKeys.Matches(verifier, record.Verifier))
            {
                var counted = record with { RemainingRetries = record.RemainingRetries - 1 };
                Save(counted.RemainingRetries == 0 ? Lock(file, slot, counted) : WithPin(file, slot, counted));
                return counted.RemainingRetries == 0
                    ? Locked(slot, counted)
                    : TokenResult.Fail(
                        TokenError.PinIncorrect,
                        $"wrong {(slot == PinSlot.User ? "" : "administrator ")}PIN: {counted.RemainingRetries} {(counted.RemainingRetries == 1 ? "try" : "tries")} left",
                        counted.RemainingRetries);
            }

            var container = file.Application.Containers[0];
            var sealedKey = slot == PinSlot.User ? container.KeyUnderUserPin : container.KeyUnderAdminPin;
            var label = SoftUsbKey.SealLabel(file.Serial, container.Name, slot == PinSlot.User);
            if (!Sm4.TryDecrypt(kek, sealedKey, out var scalar, label) || !IsKeyOf(scalar, _container.PublicKey))
            {
                // The PIN matched its verifier, so a failing tag or a foreign key means the file was altered.
                CryptographicOperations.ZeroMemory(scalar);
                return TokenResult.Fail(TokenError.FileCorrupt, "the token file is damaged or was altered (the sealed key does not open with the right PIN)");
            }

            if (record.RemainingRetries != record.MaxRetries)
            {
                Save(WithPin(file, slot, record with { RemainingRetries = record.MaxRetries }));
            }

            d = scalar;
            return TokenResult.PinOk(record.MaxRetries);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }
    }

    private void ResealUserKey(string newPin, byte[] d)
    {
        try
        {
            var file = _last;
            var container = file.Application.Containers[0];
            var (pin, sealedKey) = SoftUsbKey.NewPin(newPin, SoftUsbKey.UserPinRetriesMax, d, SoftUsbKey.SealLabel(file.Serial, container.Name, user: true), _random);
            Save(file with
            {
                Application = file.Application with
                {
                    UserPin = pin,
                    Containers = [container with { KeyUnderUserPin = sealedKey }],
                },
            });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    private void Save(SoftUsbKeyFile file)
    {
        SoftUsbKey.WriteAtomically(_device.Path, file);
        _last = file;
    }

    private static SoftUsbKeyFile WithPin(SoftUsbKeyFile file, PinSlot slot, SoftPin pin) =>
        file with
        {
            Application = slot == PinSlot.User ? file.Application with { UserPin = pin } : file.Application with { AdminPin = pin },
        };

    private static bool IsKeyOf(byte[] scalar, ECPublicKeyParameters publicKey)
    {
        if (scalar.Length != Sm2SignatureForms.ScalarBytes)
        {
            return false;
        }

        var d = new BigInteger(1, scalar);
        var n = publicKey.Parameters.N;
        return d.SignValue > 0 && d.CompareTo(n) < 0 && publicKey.Parameters.G.Multiply(d).Normalize().Equals(publicKey.Q.Normalize());
    }

    private static TokenResult Locked(PinSlot slot, SoftPin pin) =>
        TokenResult.Fail(
            TokenError.PinLocked,
            slot == PinSlot.User
                ? $"the token is locked after {pin.MaxRetries} wrong PINs; an administrator must unlock it"
                : $"the administrator PIN is locked after {pin.MaxRetries} wrong PINs; the token must be re-issued",
            0);

    private enum PinSlot
    {
        User,
        Admin,
    }
}

/// <summary>The one container of a <see cref="SoftUsbKey"/>: the signing key and its certificate.</summary>
internal sealed class SoftUsbKeyContainer : IUsbKeyContainer
{
    private readonly SoftUsbKeyApplication _application;
    private readonly SecureRandom _random;

    public SoftUsbKeyContainer(SoftUsbKeyApplication application, SoftContainer container, SecureRandom random)
    {
        _application = application;
        _random = random;
        Name = container.Name;
        PublicKey = (ECPublicKeyParameters)Pem.ReadPublicKey(container.PublicKey);
        SignCertificate = container.Certificate is null ? null : Pem.ReadCertificate(container.Certificate);
    }

    public string Name { get; }

    public X509Certificate? SignCertificate { get; }

    public ECPublicKeyParameters PublicKey { get; }

    public TokenResult<byte[]> SignMessage(ReadOnlySpan<byte> message, string userId)
    {
        if (userId is null || System.Text.Encoding.UTF8.GetByteCount(userId) > Sm2Digest.UserIdBytesMax)
        {
            return TokenResult.Fail(TokenError.InvalidParameter, $"the user ID must be given and at most {Sm2Digest.UserIdBytesMax} bytes").As<byte[]>();
        }

        if (!_application.IsLoggedIn)
        {
            return NotLoggedIn();
        }

        return SignDigest(Sm2Digest.ComputeE(PublicKey, message, userId));
    }

    public TokenResult<byte[]> SignDigest(ReadOnlySpan<byte> e)
    {
        if (e.Length != Sm2Digest.DigestBytes)
        {
            return TokenResult.Fail(TokenError.InvalidParameter, $"the digest e is {Sm2Digest.DigestBytes} bytes, not {e.Length}").As<byte[]>();
        }

        if (_application.LockedSinceLogin())
        {
            return TokenResult.Fail(TokenError.PinLocked, "the token is locked after 5 wrong PINs; an administrator must unlock it", 0).As<byte[]>();
        }

        var key = _application.SessionKey;
        return key is null ? NotLoggedIn() : TokenResult.Ok(Sm2Digest.SignDigest(key, e, _random));
    }

    private static TokenResult<byte[]> NotLoggedIn() =>
        TokenResult.Fail(TokenError.UserNotLoggedIn, "verify the user PIN before signing").As<byte[]>();
}
