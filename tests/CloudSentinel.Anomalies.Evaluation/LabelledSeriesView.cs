using CloudSentinel.Core;

namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>A generated series after all restatements, as a grain holds it once every hour has landed.</summary>
public sealed class LabelledSeriesView(LabelledSeries series) : IHourlySeries
{
    public DateTime? FirstHour => series.FirstHourUtc;

    public decimal CostAt(DateTime hourUtc)
    {
        var index = UtcHours.HoursBetween(series.Start, hourUtc);
        return index >= series.FirstHour && index < series.Final.Length ? series.Final[index] : 0m;
    }

    public DateTime HourOf(int index) => series.Start.AddHours(index);
}
