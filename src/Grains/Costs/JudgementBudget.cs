namespace CloudSentinel.Grains.Costs;

/// <summary>
/// A silo-wide token bucket for background anomaly verdicts. Each verdict reads a month of hours,
/// so judging a bulk backfill at ingest speed would cost more CPU than storing it; grains take
/// tokens from here for old hours and leave the rest for their next tick.
/// </summary>
public sealed class JudgementBudget(int perSecond, TimeProvider clock)
{
    private readonly object _gate = new();
    private double _tokens = perSecond;
    private long _lastRefill = clock.GetTimestamp();

    /// <summary>Grants up to <paramref name="wanted"/> verdicts now.</summary>
    public int Take(int wanted)
    {
        lock (_gate)
        {
            var now = clock.GetTimestamp();
            _tokens = Math.Min(perSecond, _tokens + clock.GetElapsedTime(_lastRefill, now).TotalSeconds * perSecond);
            _lastRefill = now;
            var granted = (int)Math.Min(wanted, Math.Floor(_tokens));
            _tokens -= granted;
            return granted;
        }
    }
}
