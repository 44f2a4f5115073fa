namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>The hours of a generated series known so far in a replay; later hours read as zero until they land.</summary>
internal sealed class ReplaySeries(DateTime start, int hours) : IHourlySeries
{
    private readonly decimal[] _known = new decimal[hours];

    public DateTime? FirstHour => start;

    public decimal CostAt(DateTime hourUtc)
    {
        var index = UtcHours.HoursBetween(start, hourUtc);
        return index >= 0 && index < _known.Length ? _known[index] : 0m;
    }

    public void Set(int index, decimal usd) => _known[index] = usd;

    public DateTime HourOf(int index) => start.AddHours(index);
}
