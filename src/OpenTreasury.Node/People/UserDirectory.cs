using System.Globalization;
using Dapper;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using OpenTreasury.Trust.Tokens;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace OpenTreasury.Node.People;

/// <summary>A user of a party as its directory keeps it.</summary>
public sealed class UserRecord
{
    public string Id { get; init; } = string.Empty;

    public string Name { get; init; } = string.Empty;

    public string Role { get; init; } = string.Empty;

    public string? AgencyCode { get; init; }

    /// <summary>The one division (区划) the person works for, or null for every division the node serves.</summary>
    public string? AdmDivCode { get; init; }

    public string? CertSerial { get; init; }

    public long Locked { get; init; }
}

/// <summary>Why a user operation was refused; stable codes.</summary>
public enum UserRejection
{
    None = 0,
    UnknownUser = 1,
    UserExists = 2,
    UserLocked = 3,       // locked by an administrator: may not log in or stamp
    TokenRefused = 4,     // the USBKey said no (wrong PIN, locked after 5 wrong PINs, …); the message says why
    InvalidInput = 5,
    UnknownDivision = 6,  // the person's division is not one the network serves
}

/// <summary>
/// What a user operation did; <paramref name="Subject"/> is a Chinese line naming what was wrong when the code alone
/// does not (which division, which unit).
/// </summary>
public sealed record UserResult(UserRejection Rejection, string Message, TokenError TokenError = TokenError.None, int? RemainingRetries = null, string? Subject = null)
{
    public bool Ok => Rejection == UserRejection.None;
}

/// <summary>
/// The people of one party: each has a personal SM2 certificate from the network CA on a USBKey (a soft
/// token file <c>tokens/&lt;id&gt;.usbkey</c>, its key sealed under the PIN), and may be locked by an
/// administrator. Logging in opens the token with the PIN, so the token's retry counter guards it.
/// </summary>
public sealed class UserDirectory(VoucherLibrary library, string tokenDirectory, SecureRandom random)
{
    public const int UserIdLengthMax = 32;

    /// <summary>Where the person's USBKey file is: the person's own folder (<c>people/&lt;party&gt;/</c>), not the node's.</summary>
    public string TokenPath(string userId) => Path.Combine(tokenDirectory, $"{userId}.usbkey");

    public IReadOnlyList<UserRecord> List()
    {
        using var connection = library.Database.Connect();
        return [.. connection.Query<UserRecord>("SELECT id AS Id, name AS Name, role AS Role, agency_code AS AgencyCode, adm_div_code AS AdmDivCode, cert_serial AS CertSerial, locked AS Locked FROM users ORDER BY id")];
    }

    /// <summary>The party whose people these are.</summary>
    public Domain.Parties.PartyId Party => library.Party;

    public UserRecord? Find(string userId)
    {
        using var connection = library.Database.Connect();
        return connection.QuerySingleOrDefault<UserRecord>(
            "SELECT id AS Id, name AS Name, role AS Role, agency_code AS AgencyCode, adm_div_code AS AdmDivCode, cert_serial AS CertSerial, locked AS Locked FROM users WHERE id = @userId", new { userId });
    }

    /// <summary>The personal certificate (DER) on the person's USBKey, as registered when they were added; null for no such user.</summary>
    public byte[]? CertificateDer(string userId)
    {
        using var connection = library.Database.Connect();
        return connection.QuerySingleOrDefault<byte[]?>("SELECT cert_der FROM users WHERE id = @userId", new { userId });
    }

    /// <summary>
    /// Adds a person: a key pair made for their USBKey, a certificate request that <paramref name="certify"/> carries to the
    /// authority (which issues the personal certificate under its own subject), the token file, the user record.
    /// <paramref name="admDivCode"/> is the one division the person works for (null: every division the node serves);
    /// the caller, who knows the master data, has checked that the node serves it.
    /// </summary>
    public UserResult Add(Func<Pkcs10CertificationRequest, X509Certificate> certify, string userId, string name, string post, string? agencyCode, string? admDivCode, string pin, string adminPin)
    {
        ArgumentNullException.ThrowIfNull(certify);
        if (string.IsNullOrWhiteSpace(userId) || userId.Length > UserIdLengthMax || !userId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            return new(UserRejection.InvalidInput, $"a user id is 1–{UserIdLengthMax} letters, digits, '_' or '-'");
        }

        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(post))
        {
            return new(UserRejection.InvalidInput, "a user needs a name and a post");
        }

        if (Find(userId) is not null || File.Exists(TokenPath(userId)))
        {
            return new(UserRejection.UserExists, $"{library.Party} already has a user '{userId}'");
        }

        var keys = Sm2.GenerateKeyPair(random);
        var certificate = certify(Csr.Create(keys.Private, new X509Name($"CN={userId}"), random));
        Directory.CreateDirectory(Path.GetDirectoryName(TokenPath(userId))!);
        try
        {
            using var token = SoftUsbKey.Create(TokenPath(userId), $"OT{certificate.SerialNumber.ToString(16)[..12].ToUpperInvariant()}", $"{name} {post}", library.Party, userId, keys, certificate, pin, adminPin, random);
        }
        catch (ArgumentException ex)
        {
            return new(UserRejection.InvalidInput, ex.Message);
        }

        var result = library.Run(session =>
        {
            session.Connection.Execute(
                "INSERT INTO users (id, name, role, agency_code, adm_div_code, cert_serial, cert_der, created_at) VALUES (@userId, @name, @post, @agencyCode, @admDivCode, @serial, @der, @now)",
                new { userId, name, post, agencyCode, admDivCode, serial = certificate.SerialNumber.ToString(16), der = certificate.GetEncoded(), now = session.NowText }, session.Transaction);
            session.Audit("admin", "user-add", userId, $"{name}, {post}{(agencyCode is null ? string.Empty : ", unit " + agencyCode)}{(admDivCode is null ? string.Empty : ", division " + admDivCode)}; certificate {certificate.SerialNumber.ToString(16)}");
            return LibraryResult.Done(0);
        });
        return result.Ok ? new(UserRejection.None, $"added {userId} ({name}, {post}) with a USBKey at {TokenPath(userId)}") : new(UserRejection.InvalidInput, result.Message);
    }

    /// <summary>Opens the user's USBKey with the PIN: the person is then ready to stamp.</summary>
    public UserResult Login(string userId, string pin, out Signer? signer)
    {
        signer = null;
        var user = Find(userId);
        if (user is null || !File.Exists(TokenPath(userId)))
        {
            return new(UserRejection.UnknownUser, $"no user '{userId}' at {library.Party}");
        }

        if (user.Locked != 0)
        {
            return new(UserRejection.UserLocked, $"{userId} is locked by an administrator");
        }

        var opened = SoftUsbKey.Open(TokenPath(userId), random);
        if (!opened.Succeeded)
        {
            return new(UserRejection.TokenRefused, opened.Message, opened.Error);
        }

        var device = opened.Value!;
        var application = device.OpenApplication(SoftUsbKey.ApplicationName);
        var pinResult = application.VerifyPin(pin);
        if (!pinResult.Succeeded)
        {
            device.Dispose();
            Audit(userId, "login-refused", $"{pinResult.Error}: {pinResult.Message}");
            return new(UserRejection.TokenRefused, pinResult.Message, pinResult.Error, pinResult.RemainingRetries);
        }

        signer = new Signer(library.Party, userId, user.Name, user.Role, user.AgencyCode, user.AdmDivCode, device, application.OpenContainer(SoftUsbKey.SignContainerName));
        return new(UserRejection.None, $"{userId} logged in");
    }

    public UserResult ChangePin(string userId, string oldPin, string newPin) =>
        WithApplication(userId, application => application.ChangePin(oldPin, newPin), "change-pin");

    /// <summary>Records a refused administrative action in the node's audit chain.</summary>
    public void AuditRefusal(string userId, string action, string detail) =>
        library.Run(session =>
        {
            session.Audit(userId, "admin-refused", action, detail);
            return LibraryResult.Done(0);
        });

    /// <summary>An administrator locks a user: no login, no stamp, until unlocked.</summary>
    public UserResult Lock(string userId, string reason) => SetLocked(userId, true, reason);

    /// <summary>
    /// An administrator unlocks a user, and unblocks the USBKey when it locked itself after 5 wrong
    /// PINs: the admin PIN sets a new user PIN (SKF_UnblockPIN).
    /// </summary>
    public UserResult Unlock(string userId, string adminPin, string newPin)
    {
        var unblocked = WithApplication(userId, application => application.UnblockPin(adminPin, newPin), "unblock-pin");
        return unblocked.Ok ? SetLocked(userId, false, "unlocked by an administrator") : unblocked;
    }

    private UserResult SetLocked(string userId, bool locked, string reason)
    {
        if (Find(userId) is null)
        {
            return new(UserRejection.UnknownUser, $"no user '{userId}' at {library.Party}");
        }

        library.Run(session =>
        {
            session.Connection.Execute("UPDATE users SET locked = @locked WHERE id = @userId", new { userId, locked = locked ? 1 : 0 }, session.Transaction);
            session.Audit("admin", locked ? "user-lock" : "user-unlock", userId, reason);
            return LibraryResult.Done(0);
        });
        return new(UserRejection.None, $"{userId} {(locked ? "locked" : "unlocked")}");
    }

    private UserResult WithApplication(string userId, Func<IUsbKeyApplication, TokenResult> action, string operation)
    {
        if (Find(userId) is null || !File.Exists(TokenPath(userId)))
        {
            return new(UserRejection.UnknownUser, $"no user '{userId}' at {library.Party}");
        }

        var opened = SoftUsbKey.Open(TokenPath(userId), random);
        if (!opened.Succeeded)
        {
            return new(UserRejection.TokenRefused, opened.Message, opened.Error);
        }

        using var device = opened.Value!;
        var result = action(device.OpenApplication(SoftUsbKey.ApplicationName));
        Audit(userId, result.Succeeded ? operation : operation + "-refused", result.Succeeded ? string.Empty : $"{result.Error}: {result.Message}");
        return result.Succeeded
            ? new(UserRejection.None, $"{operation}: done")
            : new(UserRejection.TokenRefused, result.Message, result.Error, result.RemainingRetries);
    }

    private void Audit(string userId, string operation, string detail) =>
        library.Run(session =>
        {
            session.Audit(userId, operation, userId, detail);
            return LibraryResult.Done(0);
        });

    internal static string Serial(Org.BouncyCastle.Math.BigInteger serial) => serial.ToString(16).ToUpper(CultureInfo.InvariantCulture);
}
