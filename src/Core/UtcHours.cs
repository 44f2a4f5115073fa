namespace CloudSentinel.Core;

/// <summary>
/// Hour and month arithmetic in UTC, the only calendar the pipeline uses. Every hour bucket,
/// window and poll bound is floored here, so that all of them agree on where an hour starts.
/// </summary>
public static class UtcHours
{
    /// <summary>The start of the UTC hour that contains <paramref name="instant"/>; its ticks are read as UTC whatever its Kind, and the result is Kind Utc.</summary>
    public static DateTime HourStart(DateTime instant) =>
        new(instant.Ticks - instant.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);

    /// <summary>The first hour of <paramref name="instant"/>'s month, Kind Utc.</summary>
    public static DateTime MonthStart(DateTime instant) => new(instant.Year, instant.Month, 1, 0, 0, 0, DateTimeKind.Utc);

    public static int HoursBetween(DateTime from, DateTime to) => (int)((to.Ticks - from.Ticks) / TimeSpan.TicksPerHour);
}
