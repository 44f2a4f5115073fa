using System.Net;

namespace CloudSentinel.Connectors;

/// <summary>
/// Sends the requests of one poll: counts every call against the poll's budget, retries transient
/// failures with exponential backoff and jitter (or the wait the server asks for), and turns
/// refusals of the credentials into <see cref="ConnectorAuthException"/> without retrying.
/// </summary>
internal sealed class ApiCaller(
    HttpClient http,
    string source,
    int budget,
    RetryOptions retry,
    ConnectorRuntime runtime,
    Action onCall,
    Func<HttpStatusCode, string, FailureKind> classify,
    IReadOnlyList<string>? retryAfterHeaders = null)
{
    public int Calls { get; private set; }

    /// <summary>Sends the request that <paramref name="build"/> makes (anew for every attempt) and returns the 2xx body.</summary>
    public Task<string> SendAsync(Func<CancellationToken, Task<HttpRequestMessage>> build, CancellationToken ct) =>
        SendAsync(build, (content, token) => content.ReadAsStringAsync(token), ct);

    /// <summary>
    /// As above, but hands a 2xx body to <paramref name="read"/> while it arrives (large answers are parsed
    /// streaming). <paramref name="read"/> runs once per attempt, so it must start from nothing each time;
    /// a connection dropped mid-body (an <see cref="IOException"/>) is retried like any transient failure.
    /// </summary>
    public async Task<T> SendAsync<T>(Func<CancellationToken, Task<HttpRequestMessage>> build, Func<HttpContent, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        string lastFailure = "";
        for (var attempt = 1; ; attempt++)
        {
            if (Calls >= budget) throw new RequestBudgetExceededException(source, budget);
            using var request = await build(ct);
            Calls++;
            onCall();

            TimeSpan? serverWait = null;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(retry.AttemptTimeout);
                try
                {
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                    // Reading the body inside the attempt makes a connection dropped mid-body a retryable failure.
                    if (response.IsSuccessStatusCode) return await read(response.Content, timeout.Token);
                    var body = await response.Content.ReadAsStringAsync(timeout.Token);

                    var kind = classify(response.StatusCode, body);
                    var what = $"HTTP {(int)response.StatusCode}: {HttpFailures.Snippet(body)}";
                    if (kind == FailureKind.Auth) throw new ConnectorAuthException(source, $"credentials refused ({what})");
                    if (kind == FailureKind.Fatal) throw new ConnectorException(source, $"request rejected ({what})");
                    lastFailure = what;
                    serverWait = RetryAfter.From(response.Headers, runtime.Clock.GetUtcNow(), retryAfterHeaders ?? []);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    lastFailure = $"no answer within {retry.AttemptTimeout.TotalSeconds:0.###} s";
                }
                catch (HttpRequestException e)
                {
                    lastFailure = $"connection failed: {e.Message}";
                }
                catch (IOException e)
                {
                    lastFailure = $"connection dropped: {e.Message}";
                }
            }

            if (attempt >= retry.MaxAttempts)
            {
                throw new ConnectorException(source, $"gave up after {attempt} attempts; last failure: {lastFailure}");
            }

            if (serverWait > retry.MaxServerDelay)
            {
                throw new ConnectorException(source, $"the API asked to wait {serverWait.Value.TotalSeconds:0} s, longer than Retry.MaxServerDelay; last failure: {lastFailure}");
            }

            await runtime.Delay(serverWait is { } wait ? wait + Jitter(retry.BaseDelay) : Backoff(attempt), ct);
        }
    }

    /// <summary>Exponential backoff with "equal jitter": half fixed so waits grow, half random so clients spread out.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(retry.MaxDelay.TotalMilliseconds, retry.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(ceiling / 2 + ceiling / 2 * runtime.Jitter());
    }

    private TimeSpan Jitter(TimeSpan scale) => TimeSpan.FromMilliseconds(scale.TotalMilliseconds * runtime.Jitter());
}
