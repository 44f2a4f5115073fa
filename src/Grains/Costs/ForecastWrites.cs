namespace CloudSentinel.Grains.Costs;

/// <summary>
/// When a service writes its forecast row again (cost_forecasts, which the console reads): once a
/// minute while the forecast holds still, but within <see cref="MovingInterval"/> once it has moved by
/// more than <see cref="MovedFraction"/> or the month turned. During a backfill the forecast climbs
/// with every batch of history; with only the minute, the console showed a month's forecast of
/// $151,088 beside $94,833 month to date for a minute after the demo's backfill, while the gauges
/// already said $490,651.
/// </summary>
public sealed class ForecastWrites
{
    public static readonly TimeSpan SteadyInterval = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan MovingInterval = TimeSpan.FromSeconds(5);

    public const decimal MovedFraction = 0.01m;

    private DateTime _writtenAt = DateTime.MinValue;
    private (DateTime Month, decimal Usd)? _written;
    private bool _moved;

    public bool Due(DateTime now, DateTime month, decimal forecastUsd)
    {
        if (_written is not { } written) return true;
        var since = now - _writtenAt;
        if (since >= SteadyInterval) return true;
        var moved = written.Month != month || Math.Abs(forecastUsd - written.Usd) > MovedFraction * Math.Max(Math.Abs(written.Usd), 1m);
        if (moved && since < MovingInterval) _moved = true;
        return moved && since >= MovingInterval;
    }

    /// <summary>
    /// A forecast that moved too soon after the last write to be written then is due now: the owner
    /// asks on its timer, since the next snapshot (what calls <see cref="Due"/>) may be a minute away.
    /// </summary>
    public bool Pending(DateTime now) => _moved && now - _writtenAt >= MovingInterval;

    public void Written(DateTime now, DateTime month, decimal forecastUsd) => (_writtenAt, _written, _moved) = (now, (month, forecastUsd), false);

    /// <summary>Something the row holds besides the forecast changed (the budget): the next snapshot writes it.</summary>
    public void Invalidate() => _written = null;
}
