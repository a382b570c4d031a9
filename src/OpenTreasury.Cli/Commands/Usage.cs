using System.Text.RegularExpressions;

namespace OpenTreasury.Cli.Commands;

/// <summary>The parser's messages its Chinese resources leave in English, in Chinese.</summary>
internal static partial class Usage
{
    public static string Chinese(string message)
    {
        if (Required().Match(message) is { Success: true } required)
        {
            return $"缺少必需的选项 {required.Groups[1].Value}";
        }

        if (Unparsable().Match(message) is { Success: true } unparsable)
        {
            return $"选项 {unparsable.Groups[2].Value} 的值“{unparsable.Groups[1].Value}”无效";
        }

        if (MissingArgument().Match(message) is { Success: true } missing)
        {
            return $"缺少参数 {missing.Groups[1].Value}";
        }

        return message.TrimEnd('.');
    }

    [GeneratedRegex(@"^Option '([^']+)' is required\.$")]
    private static partial Regex Required();

    [GeneratedRegex(@"^Cannot parse argument '(.*)' for option '([^']+)'")]
    private static partial Regex Unparsable();

    [GeneratedRegex(@"^Required argument missing for command: '([^']+)'\.$")]
    private static partial Regex MissingArgument();
}
