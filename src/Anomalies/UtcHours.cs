namespace CloudSentinel.Anomalies;

/// <summary>Hour and month arithmetic in UTC, the only calendar the pipeline uses.</summary>
public static class UtcHours
{
    public static DateTime HourStart(DateTime instant) =>
        new(instant.Ticks - instant.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);

    public static DateTime MonthStart(DateTime instant) => new(instant.Year, instant.Month, 1, 0, 0, 0, DateTimeKind.Utc);

    public static int HoursBetween(DateTime from, DateTime to) => (int)((to.Ticks - from.Ticks) / TimeSpan.TicksPerHour);
}
