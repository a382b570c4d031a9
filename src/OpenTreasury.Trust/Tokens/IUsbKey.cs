using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Trust.Tokens;

/// <summary>
/// A USBKey (智能密码钥匙) as GM/T 0016 SKF models it: Device → Application → Container. The software
/// token implements it today; an SKF (vendor DLL) or PKCS#11 token can implement it later without the
/// callers changing. Disposing disconnects (<c>SKF_DisConnectDev</c>) and ends every session.
/// </summary>
public interface IUsbKeyDevice : IDisposable
{
    string Serial { get; }

    string Label { get; }

    string Manufacturer { get; }

    IReadOnlyList<string> ApplicationNames { get; }

    /// <summary>Opens one of <see cref="ApplicationNames"/>; any other name throws <see cref="ArgumentException"/>.</summary>
    IUsbKeyApplication OpenApplication(string name);
}

/// <summary>Retry state of a PIN (<c>SKF_GetPINInfo</c>).</summary>
public readonly record struct PinInfo(int MaxRetries, int RemainingRetries, bool Locked);

/// <summary>
/// An application on a token: a user PIN, an administrator (SO) PIN, and containers. A verified user PIN
/// opens a session that lasts until <see cref="Logout"/> or the device is disposed; signing needs it.
/// </summary>
public interface IUsbKeyApplication
{
    string Name { get; }

    PinInfo UserPin { get; }

    PinInfo AdminPin { get; }

    /// <summary>Checks the user PIN and, when right, logs the user in. A wrong PIN costs one try.</summary>
    TokenResult VerifyPin(string pin);

    /// <summary>Replaces the user PIN; the old PIN is checked (and counted) like <see cref="VerifyPin"/>.</summary>
    TokenResult ChangePin(string oldPin, string newPin);

    /// <summary>
    /// With the administrator PIN, sets a new user PIN and clears the user PIN's lock and counter
    /// (<c>SKF_UnblockPIN</c>). A wrong administrator PIN costs one administrator try.
    /// </summary>
    TokenResult UnblockPin(string adminPin, string newUserPin);

    void Logout();

    IReadOnlyList<string> ContainerNames { get; }

    /// <summary>Opens one of <see cref="ContainerNames"/>; any other name throws <see cref="ArgumentException"/>.</summary>
    IUsbKeyContainer OpenContainer(string name);
}

/// <summary>A container: one SM2 signing key pair and its certificate.</summary>
public interface IUsbKeyContainer
{
    string Name { get; }

    X509Certificate? SignCertificate { get; }

    ECPublicKeyParameters PublicKey { get; }

    /// <summary>
    /// SM3withSM2 signature (DER) of <paramref name="message"/>: Z is computed from the container's public
    /// key and <paramref name="userId"/>, then e = SM3(Z‖M) is signed. Needs a logged-in user.
    /// </summary>
    TokenResult<byte[]> SignMessage(ReadOnlySpan<byte> message, string userId);

    /// <summary>SM2 signature (DER) of a precomputed 32-byte e (<c>SKF_ECCSignData</c>). Needs a logged-in user.</summary>
    TokenResult<byte[]> SignDigest(ReadOnlySpan<byte> e);
}
