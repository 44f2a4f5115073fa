using CloudSentinel.Anomalies;

namespace CloudSentinel.Grains.Costs;

/// <summary>
/// Judges ended hours of one service as their data lands and remembers which hours stand flagged,
/// so that a restatement that makes an hour normal again clears its anomaly instead of leaving it.
/// </summary>
public sealed class AnomalyTracker(AnomalyDetector detector)
{
    private readonly HashSet<DateTime> _flagged = new();

    public void Restore(IEnumerable<DateTime> flaggedHours) => _flagged.UnionWith(flaggedHours);

    public static IHourlySeries Series(ServiceBuckets buckets) =>
        HourlySeries.From(buckets.FirstHour, buckets.TotalOf);

    /// <summary>Verdict on one hour, for the gauges.</summary>
    /// <summary>
    /// Verdict on one hour, for the gauges. The newest verdict of <see cref="Judge"/> is reused while
    /// that hour's total is unchanged: snapshots ask for it every second during a load.
    /// </summary>
    public AnomalyResult Evaluate(ServiceBuckets buckets, DateTime hour)
    {
        if (_latest is { } cached && cached.Hour == hour && cached.ActualUsd == buckets.TotalOf(hour)) return cached;
        return Remember(detector.Evaluate(Series(buckets), hour));
    }

    private AnomalyResult? _latest;

    private AnomalyResult Remember(AnomalyResult result)
    {
        if (_latest is null || result.Hour >= _latest.Hour) _latest = result;
        return result;
    }

    /// <summary>Re-judges the given hours that have ended; returns the anomaly rows to write (result set) or clear (result null).</summary>
    public List<(DateTime Hour, AnomalyResult? Anomaly)> Judge(ServiceBuckets buckets, IEnumerable<DateTime> hours, DateTime currentHour)
    {
        var changes = new List<(DateTime, AnomalyResult?)>();
        var series = Series(buckets);
        foreach (var hour in hours)
        {
            if (hour >= currentHour) continue;
            var result = Remember(detector.Evaluate(series, hour));
            if (result.IsAnomaly)
            {
                _flagged.Add(hour);
                changes.Add((hour, result));
            }
            else if (_flagged.Remove(hour))
            {
                changes.Add((hour, null));
            }
        }

        return changes;
    }
}
