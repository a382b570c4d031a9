using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Dapper;
using OpenTreasury.Domain.Parties;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Signing;
using OpenTreasury.Node.Storage;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Crypto;
using Org.BouncyCastle.Security;

namespace OpenTreasury.Node.Recovery;

/// <summary>Stable codes for why a backup could not be taken or restored.</summary>
public enum BackupFailure
{
    None = 0,
    NotABackup = 1,       // not a ZIP, or no manifest and signature in it, or a manifest that does not read
    BadSignature = 2,     // the manifest's signature fails, or its certificate is not one the network trusts
    WrongParty = 3,       // the backup is another node's than the folder it is restored into
    Altered = 4,          // a file differs from the manifest's size and SM3, is missing, or one is there the manifest does not name
    NodeExists = 5,       // the folder restored into holds a node already: a restore never overwrites one
    NotSqlite = 6,        // a PostgreSQL node is backed up by the database's own means (ADR 0016)
}

/// <summary>A backup that could not be taken or restored; the message is one Chinese line.</summary>
public sealed class BackupException(BackupFailure failure, string message) : Exception(message)
{
    public BackupFailure Failure => failure;
}

/// <summary>One file of a backup: its name inside it, its size and its SM3.</summary>
public sealed record BackupEntry(string Name, long Size, string Sm3);

/// <summary>What a backup holds, signed by the node's institution key: whose it is, when, the audit chain's last entry, the files.</summary>
public sealed record BackupManifest
{
    public const string CurrentFormat = "opentreasury-node-backup/1";

    public required string Format { get; init; }

    public required string Party { get; init; }

    public required DateTimeOffset TakenAt { get; init; }

    /// <summary>The last entry of the audit chain in the snapshot, and its hash: what the restored node will hold.</summary>
    public required long AuditSeq { get; init; }

    public required string AuditHash { get; init; }

    public required IReadOnlyList<BackupEntry> Files { get; init; }
}

/// <summary>
/// A node's backup (节点备份, ADR 0016): one ZIP file holding a consistent snapshot of the node's store, taken while the
/// node serves (SQLite's <c>VACUUM INTO</c> reads in one transaction; writers go on in the WAL), the node's key files
/// as they are at rest (the private key still encrypted under its passphrase), and a manifest of every file's SM3,
/// signed with the node's institution key. Restoring checks the signature against the network's CA and every file
/// against the manifest before anything is written, so a changed, partial or foreign backup is refused.
/// </summary>
public static class NodeBackup
{
    public const string ManifestEntry = "manifest.json";
    public const string SignatureEntry = "manifest.sig";
    public const string PropertyInfo = "node-backup";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = OwnerOnly | UnixFileMode.UserExecute;

    /// <summary>The manifest and its signature are small; anything bigger in their place is not a backup.</summary>
    private const int ManifestBytesMax = 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>
    /// Writes the backup of the node in <paramref name="nodeDirectory"/> (its library <paramref name="library"/>) to
    /// <paramref name="outFile"/>, which must not exist (the file appears whole or not at all, readable by its owner only).
    /// </summary>
    public static BackupManifest Take(VoucherLibrary library, string nodeDirectory, string outFile, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(library);
        if (library.Database.Dialect is not SqliteDialect)
        {
            throw new BackupException(BackupFailure.NotSqlite,
                $"节点 {library.Party} 的凭证库在 PostgreSQL（{library.Database.Path}）：请用数据库自身的备份（pg_basebackup 与 WAL 连续归档），本命令只备份 SQLite 节点");
        }

        if (File.Exists(outFile))
        {
            throw new IOException($"'{Path.GetFullPath(outFile)}' exists", 17);
        }

        var party = library.Party;
        var scratch = PrivateFolder(Path.GetDirectoryName(Path.GetFullPath(outFile))!, ".backup");
        var partial = $"{outFile}.partial-{Environment.ProcessId}";
        try
        {
            var snapshot = Path.Combine(scratch, NodeDatabase.LibraryFile);
            using (var connection = library.Database.Connect())
            {
                connection.Execute("VACUUM INTO @snapshot", new { snapshot });
            }

            var dialect = new SqliteDialect(snapshot);
            using (var copy = dialect.Open())
            {
                dialect.PrepareNew(copy); // VACUUM INTO writes a rollback-journal file; a node's library runs in WAL
            }

            SqliteDialect.ReleaseAll();

            var (seq, hash) = AuditTip(snapshot);
            var files = new List<(string Name, string Path)>
            {
                (NodeDatabase.LibraryFile, snapshot),
                ($"keys/{NodeCredential.CertificateFileName(party)}", Path.Combine(nodeDirectory, "keys", NodeCredential.CertificateFileName(party))),
                ($"keys/{NodeCredential.PrivateKeyFileName(party)}", Path.Combine(nodeDirectory, "keys", NodeCredential.PrivateKeyFileName(party))),
            };
            var manifest = new BackupManifest
            {
                Format = BackupManifest.CurrentFormat,
                Party = party.ToString(),
                TakenAt = now,
                AuditSeq = seq,
                AuditHash = hash,
                Files = [.. files.Select(f => Describe(f.Name, File.ReadAllBytes(f.Path)))],
            };
            var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, Json);
            var signature = library.Signing.Sign(manifestBytes, PropertyInfo, now);
            using (var stream = NewOwnerOnlyFile(partial))
            {
                using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
                {
                    foreach (var (name, path) in files)
                    {
                        zip.CreateEntryFromFile(path, name, CompressionLevel.Optimal);
                    }

                    Write(zip, ManifestEntry, manifestBytes);
                    Write(zip, SignatureEntry, signature);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(partial, outFile, overwrite: false);
            return manifest;
        }
        finally
        {
            File.Delete(partial);
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>The SM3 of a backup file as a whole: what the restore entry of the audit chain names.</summary>
    public static string DigestOf(string backupFile) => Convert.ToHexStringLower(Sm3.Hash(File.ReadAllBytes(backupFile)));

    /// <summary>
    /// Reads <paramref name="backupFile"/>, checks its manifest's signature (an institution certificate of the network's CA
    /// naming the manifest's party, not revoked when it signed) and every file against the manifest while it writes
    /// them into <paramref name="target"/> (a scratch folder, owner-only, every file 0600). Throws <see cref="BackupException"/>
    /// when the backup is not whole and genuine; the caller then discards <paramref name="target"/>.
    /// </summary>
    public static BackupManifest Extract(string backupFile, string target, Network.NetworkTrust trust)
    {
        ArgumentNullException.ThrowIfNull(trust);
        using var zip = OpenZip(backupFile);
        var manifestBytes = Read(zip, ManifestEntry) ?? throw NotABackup(backupFile, "其中没有 manifest.json");
        var signature = Read(zip, SignatureEntry) ?? throw NotABackup(backupFile, "其中没有 manifest.sig");
        BackupManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BackupManifest>(manifestBytes, Json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw NotABackup(backupFile, $"manifest.json 无法读取：{e.Message}");
        }

        if (manifest.Format != BackupManifest.CurrentFormat || !PartyId.TryParse(manifest.Party, out var party))
        {
            throw NotABackup(backupFile, $"格式 {manifest.Format}、机构 {manifest.Party} 不是本程序的节点备份");
        }

        var verifier = new SignatureServer(
            new InstitutionKey(party, trust.Issuing, () => throw new InvalidOperationException("a restore signs nothing with the backup's key")), trust, new SecureRandom());
        var check = verifier.Verify(manifestBytes, signature, PropertyInfo, party);
        if (!check.IsValid)
        {
            throw new BackupException(BackupFailure.BadSignature, $"备份 {backupFile} 的签名无效（{check.Failure}：{check.Message}），不是 {party} 节点本身签署的备份，拒绝恢复");
        }

        var named = manifest.Files.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var extra = zip.Entries.Select(e => e.FullName).FirstOrDefault(n => n is not ManifestEntry and not SignatureEntry && !named.Contains(n));
        if (extra is not null || manifest.Files.Any(f => !Safe(f.Name)))
        {
            throw new BackupException(BackupFailure.Altered, $"备份 {backupFile} 中的文件 {extra ?? manifest.Files.First(f => !Safe(f.Name)).Name} 不在签名的清单之内，拒绝恢复");
        }

        CreateFolder(target);
        foreach (var entry in manifest.Files)
        {
            var found = zip.GetEntry(entry.Name) ?? throw new BackupException(BackupFailure.Altered, $"备份 {backupFile} 缺少文件 {entry.Name}，拒绝恢复");
            var path = Path.Combine(target, entry.Name);
            CreateFolder(Path.GetDirectoryName(path)!);
            if (Copy(found, path) != entry)
            {
                throw new BackupException(BackupFailure.Altered, $"备份 {backupFile} 中的文件 {entry.Name} 与签名的清单不符（大小或 SM3 不同），拒绝恢复");
            }
        }

        return manifest;
    }

    /// <summary>The backup's party, read without checking anything: to name the folder it belongs in.</summary>
    public static string? PartyOf(string backupFile)
    {
        using var zip = OpenZip(backupFile);
        var bytes = Read(zip, ManifestEntry);
        try
        {
            return bytes is null ? null : JsonSerializer.Deserialize<BackupManifest>(bytes, Json)?.Party;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static (long Seq, string Hash) AuditTip(string snapshot)
    {
        var database = new SqliteDialect(snapshot, readOnly: true);
        using var connection = database.Open();
        var tip = connection.QueryFirstOrDefault<(long Seq, string Hash)?>("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
        return tip ?? (0, Audit.AuditLog.GenesisHash);
    }

    private static BackupEntry Describe(string name, byte[] bytes) => new(name, bytes.LongLength, Convert.ToHexStringLower(Sm3.Hash(bytes)));

    private static bool Safe(string name) =>
        name.Length is > 0 and <= 200 && !name.StartsWith('/') && !name.Contains('\\', StringComparison.Ordinal) && name.Split('/').All(p => p is not ("" or "." or ".."));

    private static ZipArchive OpenZip(string backupFile)
    {
        var stream = File.OpenRead(backupFile);
        try
        {
            return new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException)
        {
            stream.Dispose();
            throw NotABackup(backupFile, "不是 ZIP 文件或已损坏");
        }
    }

    private static byte[]? Read(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name);
        if (entry is null)
        {
            return null;
        }

        if (entry.Length > ManifestBytesMax)
        {
            throw new BackupException(BackupFailure.NotABackup, $"备份中的 {name} 超过 {ManifestBytesMax} 字节");
        }

        try
        {
            using var stream = entry.Open();
            using var buffer = new MemoryStream((int)entry.Length);
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new BackupException(BackupFailure.Altered, $"备份中的文件 {name} 已损坏：{e.Message}");
        }
    }

    /// <summary>Writes one entry to a new owner-only file while hashing it; what was written, as the manifest would name it.</summary>
    private static BackupEntry Copy(ZipArchiveEntry entry, string path)
    {
        var hasher = Sm3Hasher.Create();
        long size = 0;
        try
        {
            using var source = entry.Open();
            using var target = NewOwnerOnlyFile(path);
            var buffer = new byte[81920];
            int read;
            while ((read = source.Read(buffer)) > 0)
            {
                hasher.Append(buffer.AsSpan(0, read));
                target.Write(buffer, 0, read);
                size += read;
            }

            target.Flush(flushToDisk: true);
        }
        catch (InvalidDataException e)
        {
            throw new BackupException(BackupFailure.Altered, $"备份中的文件 {entry.FullName} 已损坏：{e.Message}");
        }

        var digest = new byte[32];
        hasher.Finish(digest);
        return new(entry.FullName, size, Convert.ToHexStringLower(digest));
    }

    /// <summary>A new file (never an existing one) readable and writable by its owner only, from its first moment.</summary>
    private static FileStream NewOwnerOnlyFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        return new FileStream(path, options);
    }

    private static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerOnlyFolder);
        }
    }

    private static void Write(ZipArchive zip, string name, byte[] bytes)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        stream.Write(bytes);
    }

    private static string PrivateFolder(string near, string prefix)
    {
        var path = Path.Combine(near, $"{prefix}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        CreateFolder(path);
        return path;
    }

    private static BackupException NotABackup(string file, string why) =>
        new(BackupFailure.NotABackup, string.Create(CultureInfo.InvariantCulture, $"{file} 不是节点备份：{why}"));
}
