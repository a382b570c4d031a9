using OpenTreasury.Trust.Certificates;

namespace OpenTreasury.Trust.Tests.Certificates;

public class KeyPassphraseTests
{
    [Fact]
    public void An_explicit_passphrase_wins_over_the_environment_and_the_terminal()
    {
        var terminal = new ScriptedPrompt("typed");

        Assert.Equal("given", KeyPassphrase.Resolve("given", "口令: ", Environment("from-env"), terminal));
        Assert.Equal(0, terminal.Asked);
    }

    [Fact]
    public void The_environment_variable_comes_next_then_the_terminal()
    {
        var terminal = new ScriptedPrompt("typed");

        Assert.Equal("from-env", KeyPassphrase.Resolve(null, "口令: ", Environment("from-env"), terminal));
        Assert.Equal("typed", KeyPassphrase.Resolve("", "口令: ", Environment(null), terminal));
        Assert.Equal(1, terminal.Asked);
        Assert.Equal("口令: ", terminal.LastPrompt);
    }

    [Fact]
    public void Without_any_source_it_is_a_clear_failure_with_its_code()
    {
        var e = Assert.Throws<KeyFileException>(() => KeyPassphrase.Resolve(null, "口令: ", Environment(""), new ScriptedPrompt(null)));
        var noTerminal = Assert.Throws<KeyFileException>(() => KeyPassphrase.Resolve(null, "口令: ", Environment(null), null));

        Assert.Equal(KeyFileFailure.PassphraseMissing, e.Failure);
        Assert.Equal(KeyFileFailure.PassphraseMissing, noTerminal.Failure);
        Assert.Contains(KeyPassphrase.EnvironmentVariable, e.Message, StringComparison.Ordinal);
    }

    private static Func<string, string?> Environment(string? value) =>
        name => name == KeyPassphrase.EnvironmentVariable ? value : throw new InvalidOperationException($"read {name}");

    private sealed class ScriptedPrompt(string? answer) : IPassphrasePrompt
    {
        public int Asked { get; private set; }

        public string? LastPrompt { get; private set; }

        public string? Ask(string prompt)
        {
            Asked++;
            LastPrompt = prompt;
            return answer;
        }
    }
}
