namespace CloudSentinel.Connectors.Tests;

/// <summary>A fixed clock, jitter fixed at one half, and retry waits recorded instead of slept.</summary>
public sealed class TestRuntime
{
    private readonly List<TimeSpan> _delays = [];

    public TestRuntime(DateTimeOffset now)
    {
        Runtime = new ConnectorRuntime(new FixedClock(now), (delay, _) =>
        {
            lock (_delays) _delays.Add(delay);
            return Task.CompletedTask;
        }, () => 0.5);
    }

    public ConnectorRuntime Runtime { get; }

    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (_delays) return _delays.ToArray();
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
