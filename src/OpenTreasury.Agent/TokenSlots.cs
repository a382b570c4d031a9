using OpenTreasury.Trust.Tokens;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Agent;

/// <summary>
/// Where the support control finds a person's USBKey. Today the soft tokens of one folder
/// (<c>people/&lt;party&gt;/&lt;userId&gt;.usbkey</c>, the person's own files); a hardware USBKey behind GM/T 0016
/// SKF implements the same seam, enumerating the plugged-in keys instead of files.
/// </summary>
public interface ITokenSlots
{
    /// <summary>The people whose USBKeys are here.</summary>
    IReadOnlyList<string> People { get; }

    /// <summary>Opens the person's USBKey, or says why not.</summary>
    TokenResult<IUsbKeyDevice> Open(string userId);
}

/// <summary>The soft USBKeys in one folder.</summary>
public sealed class SoftTokenFolder(string folder, SecureRandom random) : ITokenSlots
{
    public const string Extension = ".usbkey";

    public string Folder => folder;

    public IReadOnlyList<string> People =>
        Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder, "*" + Extension).Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal)]
            : [];

    public TokenResult<IUsbKeyDevice> Open(string userId)
    {
        var path = Path.Combine(folder, userId + Extension);
        return IsPlainName(userId) && File.Exists(path)
            ? SoftUsbKey.Open(path, random)
            : new TokenResult<IUsbKeyDevice>(TokenError.KeyNotFound, $"no USBKey of '{userId}' is plugged in here", null);
    }

    /// <summary>A user id names a file in the folder and nothing outside it.</summary>
    private static bool IsPlainName(string userId) =>
        userId.Length is > 0 and <= 64 && userId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
