using System.Text.Json;
using OpenTreasury.Business.Texts;

namespace OpenTreasury.Cli.Commands;

/// <summary>The exit codes of every command (the CLI README lists them).</summary>
internal static class Exit
{
    public const int Ok = 0;

    /// <summary>A rule, a check or a person said no: a business rejection, a failed verification or reconciliation, a login.</summary>
    public const int Refused = 1;

    /// <summary>The command line, or a file or folder it names, is wrong.</summary>
    public const int BadInput = 2;

    /// <summary>The machine is in the way: a read-only folder, a full disk, a busy database, a peer that does not answer.</summary>
    public const int Environment = 3;

    /// <summary>Stored data failed its integrity check: a voucher's bytes, the audit chain, a USBKey's state.</summary>
    public const int Tampered = 4;

    /// <summary>A fault of the program itself: one line on the terminal, the details in a crash log file.</summary>
    public const int Internal = 70;
}

/// <summary>One expected failure as a person reads it: a stable code, one Chinese line, the English for <c>--json</c> and logs.</summary>
internal sealed record Failure(string Code, int ExitCode, string Chinese, string English);

/// <summary>
/// How every command reports a failure: one Chinese line with its stable code on standard error
/// (<c>错误 [CODE] …</c> or <c>拒绝 [CODE] …</c>), or with <c>--json</c> one JSON object on standard output
/// with the code, the exit code and both texts. Returns the exit code, so a command ends with
/// <c>return Report.Fail(…)</c>.
/// </summary>
internal static class Report
{
    /// <summary>Set once from the command line: a <c>--json</c> run gets its failures as JSON too.</summary>
    public static bool Json { get; set; }

    public static int Fail(Failure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(
                new { error = new { code = failure.Code, exitCode = failure.ExitCode, message = failure.English, messageZh = failure.Chinese } }, Common.Json));
        }
        else
        {
            var word = failure.ExitCode == Exit.Refused ? "拒绝" : "错误";
            Console.Error.WriteLine($"{word} [{failure.Code}] {OneLine(failure.Chinese)}");
        }

        return failure.ExitCode;
    }

    /// <summary>A failure of the command line or of a path or file it names (exit 2).</summary>
    public static int BadInput(string code, string chinese, string english) => Fail(new(code, Exit.BadInput, chinese, english));

    /// <summary>A refusal with a stable rejection code of the library, a desk, the people or a USBKey (exit 1).</summary>
    public static int Refused(Enum rejection, string englishDetail, string? subject = null) =>
        Fail(new(RejectionTexts.Code(rejection), Exit.Refused,
            subject is null ? RejectionTexts.Chinese(rejection) : $"{RejectionTexts.Chinese(rejection)}：{subject}", englishDetail));

    /// <summary>A folder that holds no network (exit 2).</summary>
    public static int NoNetwork(string folder) =>
        BadInput("NO-NETWORK", $"{folder} 中没有网络；可先运行 `treasury demo --data {folder}` 或 `treasury network init --data {folder}`",
            $"{folder} holds no network; make one with `treasury demo --data {folder}`");

    /// <summary>A file the command needs that does not exist (exit 2).</summary>
    public static int Missing(string path) =>
        BadInput("MISSING-PATH", $"{path} 不存在", $"{path} does not exist");

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
