using System.Diagnostics;
using OpenTreasury.Trust.Crypto;

namespace OpenTreasury.Trust.Tests;

/// <summary>
/// Runs the OpenSSL 3 command line for the interop tests. When the machine has no OpenSSL with SM2 the
/// tests say so in their output and pass: they prove interop where they can run, nothing where they cannot.
/// </summary>
internal static class OpenSslCli
{
    public const string DistId = "distid:" + Sm2.DefaultUserId;

    private static readonly Lazy<string?> s_unavailable = new(FindUnavailability);

    /// <summary>Why OpenSSL cannot be used here, or null when it can.</summary>
    public static string? Unavailability => s_unavailable.Value;

    public static (int Exit, string Stdout, string Stderr) Run(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            throw new TimeoutException($"openssl {string.Join(' ', arguments)} did not finish in 30 s");
        }

        return (process.ExitCode, stdout, stderr.GetAwaiter().GetResult());
    }

    public static void Check((int Exit, string Stdout, string Stderr) result) =>
        Assert.True(result.Exit == 0, result.Stdout + result.Stderr);

    private static string? FindUnavailability()
    {
        try
        {
            var (exit, stdout, _) = Run(Path.GetTempPath(), "list", "-public-key-algorithms");
            return exit == 0 && stdout.Contains("SM2", StringComparison.OrdinalIgnoreCase)
                ? null
                : "the openssl on PATH does not list SM2 among its public-key algorithms";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"no openssl on PATH ({e.Message})";
        }
    }
}
