using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using OpenTreasury.Business.Texts;
using OpenTreasury.Node.Library;
using OpenTreasury.Node.Messaging;
using OpenTreasury.Node.Recovery;
using OpenTreasury.Simulation.Demo;
using OpenTreasury.Trust.Certificates;
using OpenTreasury.Trust.Pki;
using OpenTreasury.Trust.Tokens;

namespace OpenTreasury.Cli.Commands;

/// <summary>
/// The one place an exception becomes what a person reads: every failure the machine or the data can
/// cause (a read-only folder, a full disk, a busy or damaged database, a missing path, an existing file,
/// a wrong key passphrase) is one Chinese line with a stable code and a documented exit code. Anything
/// else is a fault of the program: one line naming a crash log file, never a stack trace on the terminal.
/// </summary>
internal static class Edge
{
    // errno values (Linux) that .NET puts in IOException.HResult.
    private const int Eexist = 17;
    private const int Enospc = 28;
    private const int Erofs = 30;
    private const int Edquot = 122;

    public static int Handle(Exception exception, IReadOnlyList<string> args) => Report.Fail(Describe(exception, args));

    public static Failure Describe(Exception exception, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            AggregateException { InnerExceptions.Count: 1 } one => Describe(one.InnerExceptions[0], args),
            OperationCanceledException => new("CANCELLED", 130, "操作已取消，已提交的部分保持不变", "cancelled; what was committed stays"),
            SqliteException sqlite => Sqlite(sqlite, args),
            TamperedVoucherException tampered => new(RejectionTexts.Code(LibraryRejection.Tampered), Exit.Tampered,
                $"{RejectionTexts.Chinese(LibraryRejection.Tampered)}，拒绝显示、打印或导出：{tampered.Verdict?.Subject}（{tampered.Verdict?.Problems.Count} 处不符；`treasury node check` 列出全部）",
                tampered.Message),
            BackupException backup => new($"BACKUP-{(int)backup.Failure}", backup.Failure is BackupFailure.BadSignature or BackupFailure.Altered ? Exit.Tampered : Exit.BadInput,
                backup.Message, $"backup: {backup.Failure}"),
            NodeRecoveringException recovering => new("NODE-RECOVERING", Exit.Environment, recovering.Message, $"{recovering.Party} is recovering from its backup of {recovering.BackupTakenAt}"),
            KeyFileException key => new($"KEYFILE-{(int)key.Failure}", Exit.BadInput, StripCode(key.Message), $"key file: {key.Failure}"),
            TokenException token => new($"TOKEN-{token.Error}", Exit.Refused, $"USBKey：{token.Message}", $"USBKey refused: {token.Error}"),
            TimestampException tsa => new("NO-TSA", Exit.Environment, $"时间戳服务不可用：{tsa.Message}", "the timestamp authority did not answer"),
            TransportException transport => new("PEER-UNREACHABLE", Exit.Environment, $"对方节点无响应：{transport.Message}", "a peer node did not answer"),
            DemoNodeUnreachableException demo => new("DEMO-3", Exit.Environment, $"{demo.Message} — 再次运行同一命令即可完成计划", "a node did not answer; rerun the same command to finish the plan"),
            DirectoryNotFoundException or FileNotFoundException => new("MISSING-PATH", Exit.BadInput,
                $"路径不存在：{PathOf(exception)}（请检查文件夹是否存在）", $"a path does not exist: {PathOf(exception)}"),
            UnauthorizedAccessException => new("READ-ONLY", Exit.Environment,
                $"没有写入权限：{PathOf(exception)}（文件夹只读或权限不足；只读的文件夹仍可查询）", $"no permission to write: {PathOf(exception)}"),
            IOException io when io.HResult is Enospc or Edquot => new("DISK-FULL", Exit.Environment,
                "磁盘已满，未完成的操作没有保存；请释放空间后重试", "the disk is full; nothing unfinished was saved"),
            IOException io when io.HResult == Erofs => new("READ-ONLY", Exit.Environment,
                $"文件系统只读：{PathOf(exception)}（只读的文件夹仍可查询）", "the file system is read-only"),
            IOException io when io.HResult == Eexist => new("OUTPUT-EXISTS", Exit.BadInput,
                $"文件已存在，未覆盖：{PathOf(exception)}（请换一个文件名或先删除它）", "the output file exists and was not overwritten"),
            _ => Internal(exception, args),
        };
    }

    private static Failure Sqlite(SqliteException exception, IReadOnlyList<string> args) => exception.SqliteErrorCode switch
    {
        5 or 6 => new("DB-BUSY", Exit.Environment,
            $"数据库正被其他程序占用，等待超时{Holders(args)}；请稍后重试", "the database is busy: the wait ran out"),
        8 => new("READ-ONLY", Exit.Environment,
            "数据库所在的文件夹或文件只读，无法写入（只读的文件夹仍可查询）", "the database is read-only"),
        13 => new("DISK-FULL", Exit.Environment, "磁盘已满，未完成的操作没有保存；请释放空间后重试", "the disk is full; nothing unfinished was saved"),
        14 => new("CANNOT-OPEN", Exit.Environment, "无法打开数据库文件：文件夹不存在、只读或权限不足", "the database file cannot be opened"),
        11 or 26 => new("DB-CORRUPT", Exit.Tampered, "数据库文件已损坏或不是凭证库；请从备份恢复", "the database file is damaged or not a library"),
        10 when exception.SqliteExtendedErrorCode is 3338 or 4874 => new("DISK-FULL", Exit.Environment,
            "磁盘已满或写入失败，未完成的操作没有保存", "the disk is full or a write failed; nothing unfinished was saved"),
        _ => new($"DB-{exception.SqliteErrorCode}", Exit.Environment, $"数据库错误（SQLite {exception.SqliteErrorCode}），未完成的操作没有保存", exception.Message),
    };

    /// <summary>Who holds a library open (Linux: the processes with the file open), so a busy database names its holder.</summary>
    internal static string Holders(IReadOnlyList<string> args)
    {
        var folder = FolderOf(args);
        if (folder is null || !Directory.Exists("/proc"))
        {
            return string.Empty;
        }

        var holders = new List<string>();
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(process);
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var open = Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd"))
                    .Select(fd => new FileInfo(fd).LinkTarget)
                    .Any(target => target is not null && target.StartsWith(folder, StringComparison.Ordinal) && target.EndsWith(".db", StringComparison.Ordinal));
                if (open)
                {
                    var command = File.ReadAllText(Path.Combine(process, "cmdline")).Replace('\0', ' ').Trim();
                    holders.Add($"进程 {pid}（{(command.Length > 80 ? command[..80] + "…" : command)}）");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another user's process or one that just ended: not ours to name.
            }
        }

        return holders.Count == 0 ? string.Empty : $"，占用者：{string.Join("、", holders.Take(3))}";
    }

    private static string? FolderOf(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] is "--data" or "--node")
            {
                return Path.GetFullPath(args[i + 1]);
            }
        }

        return null;
    }

    private static string PathOf(Exception exception)
    {
        // .NET quotes the path in its message: "Could not find a part of the path '/x/y'."
        var message = exception.Message;
        var start = message.IndexOf('\'', StringComparison.Ordinal);
        var end = message.LastIndexOf('\'');
        return start >= 0 && end > start ? message[(start + 1)..end] : "（未知路径）";
    }

    private static string StripCode(string message) =>
        message.StartsWith('[') && message.IndexOf(']', StringComparison.Ordinal) is var close and > 0 ? message[(close + 1)..].Trim() : message;

    private static Failure Internal(Exception exception, IReadOnlyList<string> args)
    {
        var file = Path.Combine(Path.GetTempPath(), $"treasury-crash-{DateTime.UtcNow:yyyyMMddTHHmmss}-{Environment.ProcessId}.log");
        try
        {
            File.WriteAllText(file, $"treasury {string.Join(' ', args)}{Environment.NewLine}{exception}{Environment.NewLine}", Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            file = "（日志无法写入）";
        }

        return new("INTERNAL", Exit.Internal,
            $"程序内部错误，已提交的部分保持不变；详情已写入 {file}，请联系系统管理员",
            $"internal error {exception.GetType().Name}; details in {file}");
    }
}
