using Microsoft.Extensions.Logging;

namespace OpenTreasury.Server.Logging;

/// <summary>
/// Logs one line per entry to a writer (standard error): level, category, message, and for an exception
/// only its type and message. No stack trace ever reaches the operator's console.
/// </summary>
public sealed class OneLineLoggerProvider(TextWriter writer) : ILoggerProvider
{
    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => new OneLineLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            writer.WriteLine(line);
        }
    }

    private sealed class OneLineLogger(OneLineLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            var message = formatter(state, exception).ReplaceLineEndings(" ");
            var cause = exception is null ? string.Empty : $" ({exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")})";
            provider.Write($"{logLevel}: {category}: {message}{cause}");
        }
    }
}
