using System.Text;

namespace OpenTreasury.Trust.Certificates;

/// <summary>Asks a person for a passphrase without echoing it; null when nobody can be asked.</summary>
public interface IPassphrasePrompt
{
    string? Ask(string prompt);
}

/// <summary>
/// Where the passphrase of a node's encrypted key comes from, first that has one wins: the caller
/// (<c>--key-passphrase</c>, a secrets store), the environment variable <see cref="EnvironmentVariable"/>, an
/// interactive prompt without echo when a terminal is attached; otherwise <see cref="KeyFileFailure.PassphraseMissing"/>.
/// </summary>
/// <remarks>
/// .NET strings cannot be wiped, so the passphrase lives in memory until collected; the environment variable is a
/// string in the process anyway. Prefer a service manager's credential mechanism (systemd <c>LoadCredential</c> read by
/// the caller and passed explicitly) to exporting the variable in a shell profile.
/// </remarks>
public static class KeyPassphrase
{
    /// <summary>The environment variable read when no passphrase is given explicitly.</summary>
    public const string EnvironmentVariable = "OPENTREASURY_KEY_PASSPHRASE";

    /// <summary>The passphrase from the caller, the environment, or the console (when one is attached).</summary>
    /// <param name="explicitPassphrase">Used when not null or empty.</param>
    /// <param name="prompt">What the console prompt says, e.g. "bank-102 节点私钥口令: ".</param>
    /// <exception cref="KeyFileException"><see cref="KeyFileFailure.PassphraseMissing"/> when no source has one.</exception>
    public static string Resolve(string? explicitPassphrase, string prompt) =>
        Resolve(explicitPassphrase, prompt, Environment.GetEnvironmentVariable, ConsolePassphrasePrompt.Instance);

    /// <summary>As <see cref="Resolve(string?, string)"/> with the environment and the prompt given (tests, hosts with their own UI).</summary>
    public static string Resolve(string? explicitPassphrase, string prompt, Func<string, string?> environment, IPassphrasePrompt? terminal)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrEmpty(explicitPassphrase))
        {
            return explicitPassphrase;
        }

        if (environment(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        if (terminal?.Ask(prompt) is { Length: > 0 } typed)
        {
            return typed;
        }

        throw new KeyFileException(
            KeyFileFailure.PassphraseMissing,
            $"未提供私钥口令：请通过参数传入，或设置环境变量 {EnvironmentVariable}，或在终端中运行以便输入。");
    }
}

/// <summary>
/// Reads a passphrase from the console key by key, echoing nothing; backspace deletes, Enter ends, Ctrl+C aborts.
/// Answers null when input is redirected (a service, a pipe), so nothing blocks waiting for a person who is not there.
/// </summary>
public sealed class ConsolePassphrasePrompt : IPassphrasePrompt
{
    public static ConsolePassphrasePrompt Instance { get; } = new();

    private ConsolePassphrasePrompt()
    {
    }

    public string? Ask(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (Console.IsInputRedirected)
        {
            return null;
        }

        Console.Error.Write(prompt);
        var typed = new StringBuilder();
        try
        {
            while (typed.Length <= EncryptedKeyFile.PassphraseLengthMax)
            {
                var key = Console.ReadKey(intercept: true);
                if (key.Key == ConsoleKey.Enter)
                {
                    break;
                }

                if (key.Key == ConsoleKey.Backspace)
                {
                    if (typed.Length > 0)
                    {
                        typed.Length--;
                    }
                }
                else if (!char.IsControl(key.KeyChar))
                {
                    typed.Append(key.KeyChar);
                }
            }
        }
        finally
        {
            Console.Error.WriteLine();
        }

        return typed.ToString();
    }
}
