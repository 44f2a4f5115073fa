namespace CloudSentinel.Connectors;

/// <summary>Waits before a retry. Production waits for real; tests record the delays instead.</summary>
public delegate Task RetryDelay(TimeSpan delay, CancellationToken cancellationToken);

/// <summary>The clock, the retry wait and the jitter source of a connector, replaceable in tests.</summary>
/// <param name="Jitter">Returns a number in [0, 1).</param>
public sealed record ConnectorRuntime(TimeProvider Clock, RetryDelay Delay, Func<double> Jitter)
{
    public static ConnectorRuntime Default { get; } =
        new(TimeProvider.System, (delay, ct) => Task.Delay(delay, ct), Random.Shared.NextDouble);
}
