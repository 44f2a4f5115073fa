namespace CloudSentinel.Connectors;

/// <summary>The file cannot be read as a whole (no FOCUS header, rows that cannot be split): nothing of it is loaded.</summary>
public sealed class FocusFileException(long line, string message) : Exception($"line {line}: {message}")
{
    public long Line { get; } = line;

    public string Reason { get; } = message;
}
