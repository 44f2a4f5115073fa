namespace CloudSentinel.Grains.Costs;

/// <summary>
/// z-score of one hour's total against the hours before it: (x − mean) / standard deviation over a
/// trailing window, with hours that have no data counted as zero once the series has started.
/// </summary>
public static class HourlyZScore
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(7);

    /// <summary>Fewest prior hours before a z-score means anything.</summary>
    public const int MinimumHistoryHours = 24;

    public static ZScoreResult? Of(ServiceBuckets buckets, DateTime hour, TimeSpan window)
    {
        var first = buckets.Hours.Keys.FirstOrDefault();
        var from = hour - window;
        if (from < first) from = first;
        var count = (int)(hour - from).TotalHours;
        if (buckets.Hours.Count == 0 || count < MinimumHistoryHours) return null;

        var values = new double[count];
        for (var i = 0; i < count; i++) values[i] = (double)buckets.TotalOf(from.AddHours(i));
        return Compute((double)buckets.TotalOf(hour), values);
    }

    public static ZScoreResult Compute(double value, IReadOnlyList<double> history)
    {
        var mean = history.Average();
        var variance = history.Sum(v => (v - mean) * (v - mean)) / history.Count;
        var std = Math.Sqrt(variance);
        // A flat history gives no scale; report 0 rather than an infinite score for any change.
        var z = std > 0 ? (value - mean) / std : 0d;
        return new ZScoreResult(mean, std, z);
    }
}

public sealed record ZScoreResult(double Mean, double StdDev, double Z);
