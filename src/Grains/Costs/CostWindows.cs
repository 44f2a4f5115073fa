using CloudSentinel.Core;

namespace CloudSentinel.Grains.Costs;

/// <summary>
/// Rolling sums over a service's hourly totals, relative to "now". The running hour is the hour
/// that contains now; the 24 h / 7 d / 30 d windows are the complete hours before it; month to
/// date runs from the 1st of the UTC month up to and including the running hour.
/// </summary>
public sealed record CostWindows(
    DateTime CurrentHour,
    DateTime? LatestHour,
    decimal LatestHourUsd,
    decimal RunningHourUsd,
    decimal Last24HoursUsd,
    decimal Last7DaysUsd,
    decimal Last30DaysUsd,
    decimal MonthToDateUsd)
{
    public static CostWindows Compute(ServiceBuckets buckets, DateTime nowUtc)
    {
        var current = UtcHours.HourStart(nowUtc);
        var monthStart = UtcHours.MonthStart(current);
        var from24 = current.AddHours(-24);
        var from7 = current.AddDays(-7);
        var from30 = current.AddDays(-30);

        DateTime? latest = null;
        decimal latestUsd = 0, running = 0, last24 = 0, last7 = 0, last30 = 0, monthToDate = 0;
        foreach (var (hour, total) in buckets.HourTotals())
        {
            if (hour > current) break;
            if (hour == current)
            {
                running = total;
            }
            else
            {
                latest = hour;
                latestUsd = total;
                if (hour >= from24) last24 += total;
                if (hour >= from7) last7 += total;
                if (hour >= from30) last30 += total;
            }

            if (hour >= monthStart) monthToDate += total;
        }

        return new CostWindows(current, latest, latestUsd, running, last24, last7, last30, monthToDate);
    }
}
