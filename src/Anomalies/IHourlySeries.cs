namespace CloudSentinel.Anomalies;

/// <summary>
/// A read-only view of one service's hourly totals (USD), keyed by UTC hour start. Hours from
/// <see cref="FirstHour"/> on that hold no data count as zero: the service simply cost nothing.
/// Hours before <see cref="FirstHour"/> are unknown and never used as samples.
/// </summary>
public interface IHourlySeries
{
    /// <summary>Earliest hour with data, or null when the series is empty.</summary>
    DateTime? FirstHour { get; }

    /// <summary>Total of the hour starting at <paramref name="hourUtc"/>; zero when it holds no data.</summary>
    decimal CostAt(DateTime hourUtc);
}
