using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;

namespace OpenTreasury.Server.Tests;

/// <summary><c>treasury serve</c>, run as a user runs it: the built <c>treasury.dll</c> in its own process.</summary>
public sealed class ServeCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Serve_prints_one_line_per_party_with_a_url_whose_health_answers()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ot-serve-" + Path.GetRandomFileName());
        NetworkTemplate.CopyTo(folder);
        try
        {
            using var process = Start("serve", "--data", folder);
            using var timeout = new CancellationTokenSource(Timeout);
            var lines = new List<string>();
            try
            {
                while (lines.Count < 4 && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                {
                    lines.Add(line);
                }

                Assert.Equal(["finance", "pboc", "bank-102", "bank-103"], lines.Select(l => l.Split(' ')[0]));
                using var http = new HttpClient();
                foreach (var line in lines)
                {
                    var url = line.Split(' ')[1];
                    Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal);
                    using var health = await http.GetAsync(new Uri(new Uri(url), "health"), timeout.Token);
                    Assert.Equal(HttpStatusCode.OK, health.StatusCode);
                }
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Serve_on_an_empty_folder_prints_one_chinese_error_line_with_its_code_and_exits_2()
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ot-serve-empty-" + Path.GetRandomFileName())).FullName;
        try
        {
            using var process = Start("serve", "--data", folder);
            using var timeout = new CancellationTokenSource(Timeout);
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);

            Assert.Equal(2, process.ExitCode);
            Assert.Equal(string.Empty, await stdout);
            var error = Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("错误 [NoNetwork-1] ", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            StandardErrorEncoding = System.Text.Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "treasury.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }
}
