using System.Net;

namespace CloudSentinel.Connectors;

/// <summary>
/// The opening every API connector shares: the source name, the count of calls since creation, the
/// options checked before each poll, and one <see cref="ApiCaller"/> per poll against its budget.
/// A connector adds only how it asks its API and reads the answers.
/// </summary>
public abstract class ApiConnector<TOptions>(HttpClient http, TOptions options, ConnectorRuntime? runtime) : ICostSource
    where TOptions : IApiSourceOptions
{
    private long _calls;

    protected TOptions Options { get; } = options;

    protected ConnectorRuntime Runtime { get; } = runtime ?? ConnectorRuntime.Default;

    public string Source => Options.Source;

    public long ApiCallsTotal => Interlocked.Read(ref _calls);

    public async Task<PollResult> PollAsync(PollWindow window, CancellationToken cancellationToken = default)
    {
        // Inside the task, as before the base existed: a bad option faults the poll rather than the call.
        Options.Validate();
        return await ReadAsync(window, cancellationToken);
    }

    /// <summary>Reads the window with options already validated; see <see cref="ICostSource.PollAsync"/>.</summary>
    protected abstract Task<PollResult> ReadAsync(PollWindow window, CancellationToken cancellationToken);

    /// <summary>A caller for one poll; <paramref name="classify"/> defaults to the HTTP status alone.</summary>
    private protected ApiCaller NewCaller(Func<HttpStatusCode, string, FailureKind>? classify = null, IReadOnlyList<string>? retryAfterHeaders = null) =>
        new(http, Source, Options.RequestBudget, Options.Retry, Runtime, () => Interlocked.Increment(ref _calls),
            classify ?? ((status, _) => HttpFailures.Classify(status)), retryAfterHeaders);
}
