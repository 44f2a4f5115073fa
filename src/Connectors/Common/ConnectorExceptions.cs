namespace CloudSentinel.Connectors;

/// <summary>A poll failed for good: retries are exhausted or the answer cannot be read. The next poll may succeed.</summary>
public class ConnectorException(string source, string message, Exception? inner = null)
    : Exception($"{source}: {message}", inner)
{
    public string SourceName { get; } = source;
}

/// <summary>
/// The credentials were missing or refused. Retrying cannot help, so the source should stop with
/// this status until an operator fixes its credentials; other sources go on.
/// </summary>
public sealed class ConnectorAuthException(string source, string message, Exception? inner = null)
    : ConnectorException(source, message, inner);

/// <summary>The poll needed more API calls than its budget allows; nothing of it was emitted.</summary>
public sealed class RequestBudgetExceededException(string source, int budget)
    : ConnectorException(source, $"the request budget of {budget} API calls per poll is used up; raise RequestBudget or poll a shorter window")
{
    public int Budget { get; } = budget;
}
