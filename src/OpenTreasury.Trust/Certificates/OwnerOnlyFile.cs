using System.Text;

namespace OpenTreasury.Trust.Certificates;

/// <summary>Writes secrets so that nobody but the owner can ever read them, and no reader sees half a file.</summary>
internal static class OwnerOnlyFile
{
    /// <summary>Read and write for the owner only (0600).</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Writes <paramref name="text"/> (ASCII) to a new temporary file in the same directory, created with mode 0600
    /// (never another mode, not even for a moment), flushes it to disk, then renames it over <paramref name="path"/>
    /// (atomic on one file system). The file keeps mode 0600 whatever <paramref name="path"/> had before.
    /// </summary>
    public static void WriteAtomically(string path, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(text);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new ArgumentException("The path has no directory.", nameof(path));
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Path.GetRandomFileName()}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = Mode;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(text));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
