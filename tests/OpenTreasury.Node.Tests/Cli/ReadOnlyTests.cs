using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace OpenTreasury.Node.Tests.Cli;

/// <summary>
/// A network folder nobody may write (a read-only copy, another user's folder): every read still works, every
/// write is one READ-ONLY line (exit 3) and changes nothing. Run as an unprivileged user (as root, through
/// <c>setpriv</c> as nobody, since root writes through any mode bits).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ReadOnlyTests(CliTests.DemoFolder demo) : IClassFixture<CliTests.DemoFolder>, IDisposable
{
    private const int Nobody = 65534;
    private readonly string _copy = Path.Combine(Path.GetTempPath(), "ot-readonly-" + Path.GetRandomFileName());
    private readonly string _out = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ot-readonly-out-" + Path.GetRandomFileName())).FullName;

    [Fact]
    public async Task Reads_work_and_writes_are_refused_in_one_line_with_nothing_changed()
    {
        Prepare();
        var before = File.ReadAllBytes(Path.Combine(_copy, "finance", "library.db"));

        var list = await Run("voucher", "list", "--data", _copy, "--party", "finance", "--vt", "8202");
        var show = await Run("voucher", "show", "--data", _copy, "--party", "finance", "--vt", "8202", "--no", "ZF1-000001");
        var export = await Run("voucher", "export", "--data", _copy, "--party", "finance", "--vt", "8202", "--no", "ZF1-000001", "--out", Path.Combine(_out, "v.xml"));
        var check = await Run("node", "check", "--node", Path.Combine(_copy, "bank-102"));
        var pay = await Run("pay", "--data", _copy, "--agency", "101001", "--class", "2010301", "--clerk", "dw101001_jbr", "--clerk-pin", "88888888",
            "--approver", "dw101001_fzr", "--approver-pin", "88888888", "--amount", "1.00");
        var exportInto = await Run("voucher", "export", "--data", _copy, "--party", "finance", "--vt", "8202", "--no", "ZF1-000001", "--out", Path.Combine(_copy, "v.xml"));

        foreach (var read in new[] { list, show, export, check })
        {
            Assert.True(read.ExitCode == 0, read.Stdout + read.Stderr);
        }

        Assert.True(File.Exists(Path.Combine(_out, "v.xml")));
        foreach (var write in new[] { pay, exportInto })
        {
            Assert.Equal(3, write.ExitCode);
            Assert.StartsWith("错误 [READ-ONLY]", write.Stderr, StringComparison.Ordinal);
            Assert.Single(write.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain("   at ", write.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal(before, File.ReadAllBytes(Path.Combine(_copy, "finance", "library.db")));
        Assert.False(File.Exists(Path.Combine(_copy, "v.xml")));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var folder in new[] { _copy, _out })
        {
            if (Directory.Exists(folder))
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Append(folder))
                {
                    File.SetUnixFileMode(entry, Directory.Exists(entry) ? (UnixFileMode)0b111_111_111 : (UnixFileMode)0b110_110_110);
                }

                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>A copy of the demo network, owned by the user the CLI runs as, every folder and file without write permission.</summary>
    private void Prepare()
    {
        SqliteConnection.ClearAllPools();
        foreach (var directory in Directory.EnumerateDirectories(demo.Path, "*", SearchOption.AllDirectories).Prepend(demo.Path))
        {
            Directory.CreateDirectory(directory.Replace(demo.Path, _copy, StringComparison.Ordinal));
        }

        foreach (var file in Directory.EnumerateFiles(demo.Path, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(demo.Path, _copy, StringComparison.Ordinal));
        }

        var entries = Directory.EnumerateFileSystemEntries(_copy, "*", SearchOption.AllDirectories).Append(_copy).ToList();
        foreach (var entry in entries)
        {
            if (IsRoot)
            {
                Chown(entry);
            }

            File.SetUnixFileMode(entry, Directory.Exists(entry) ? (UnixFileMode)0b101_101_101 : (UnixFileMode)0b100_100_100);
        }

        File.SetUnixFileMode(_out, (UnixFileMode)0b111_111_111);
    }

    private static void Chown(string path)
    {
        using var chown = Process.Start("chown", ["-h", $"{Nobody}:{Nobody}", path])!;
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }

    private static async Task<CliResult> Run(params string[] args)
    {
        if (!IsRoot)
        {
            return await Cli.RunAsync(args);
        }

        var start = new ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            StandardErrorEncoding = System.Text.Encoding.UTF8,
        };
        start.Environment["HOME"] = Path.GetTempPath();
        start.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        foreach (var arg in new[] { "--reuid", $"{Nobody}", "--regid", $"{Nobody}", "--clear-groups", "dotnet", Path.Combine(AppContext.BaseDirectory, "treasury.dll") }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
