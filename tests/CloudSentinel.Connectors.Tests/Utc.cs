namespace CloudSentinel.Connectors.Tests;

internal static class Utc
{
    public static DateTime At(int year, int month, int day, int hour = 0) => new(year, month, day, hour, 0, 0, DateTimeKind.Utc);
}
