namespace CloudSentinel.Anomalies;

/// <summary>Adapters from what a grain already holds to <see cref="IHourlySeries"/>, without copying.</summary>
public static class HourlySeries
{
    /// <summary>Wraps hourly totals keyed by UTC hour start. A sorted dictionary finds its first hour in O(log n).</summary>
    public static IHourlySeries From(IReadOnlyDictionary<DateTime, decimal> totals) => new DictionarySeries(totals);

    /// <summary>Wraps a lookup, e.g. <c>From(buckets.FirstHour, buckets.TotalOf)</c>.</summary>
    public static IHourlySeries From(DateTime? firstHour, Func<DateTime, decimal> costAt) => new LookupSeries(firstHour, costAt);

    private sealed class DictionarySeries(IReadOnlyDictionary<DateTime, decimal> totals) : IHourlySeries
    {
        public DateTime? FirstHour => totals.Count == 0
            ? null
            : totals is SortedDictionary<DateTime, decimal> sorted ? sorted.Keys.First() : totals.Keys.Min();

        public decimal CostAt(DateTime hourUtc) => totals.TryGetValue(hourUtc, out var usd) ? usd : 0m;
    }

    private sealed class LookupSeries(DateTime? firstHour, Func<DateTime, decimal> costAt) : IHourlySeries
    {
        public DateTime? FirstHour => firstHour == default(DateTime) ? null : firstHour;

        public decimal CostAt(DateTime hourUtc) => costAt(hourUtc);
    }
}
