using CloudSentinel.Anomalies;

namespace CloudSentinel.Anomalies.Tests;

/// <summary>Builds hourly series the way a grain holds them: a sorted dictionary of UTC hour → USD.</summary>
internal static class Series
{
    public static DateTime Utc(int year, int month, int day, int hour = 0) => new(year, month, day, hour, 0, 0, DateTimeKind.Utc);

    /// <summary>Hours [from, to) valued by <paramref name="cost"/>.</summary>
    public static SortedDictionary<DateTime, decimal> Hourly(DateTime from, DateTime to, Func<DateTime, decimal> cost)
    {
        var totals = new SortedDictionary<DateTime, decimal>();
        for (var hour = from; hour < to; hour = hour.AddHours(1)) totals[hour] = cost(hour);
        return totals;
    }

    public static IHourlySeries View(this SortedDictionary<DateTime, decimal> totals) => HourlySeries.From(totals);
}
