namespace CloudSentinel.Connectors;

/// <summary>How an API call is retried on 5xx, throttling (429 and the API's own throttling errors), timeouts and dropped connections.</summary>
public sealed record RetryOptions
{
    /// <summary>Attempts per call, the first one included.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The delay before the first retry; it doubles for every further retry.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff delay we choose ourselves.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest wait a server may ask for with Retry-After; longer requests fail the poll instead of stalling it.</summary>
    public TimeSpan MaxServerDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one attempt may take, response body included.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(100);

    public void Validate()
    {
        if (MaxAttempts < 1) throw new ArgumentException("Retry.MaxAttempts must be at least 1");
        if (BaseDelay < TimeSpan.Zero || MaxDelay < BaseDelay) throw new ArgumentException("Retry.BaseDelay must be between 0 and Retry.MaxDelay");
        if (AttemptTimeout <= TimeSpan.Zero) throw new ArgumentException("Retry.AttemptTimeout must be positive");
    }
}
