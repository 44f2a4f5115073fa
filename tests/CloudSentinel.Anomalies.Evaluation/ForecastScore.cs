namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>Month-end forecast accuracy at one day of the month: MAPE in percent, and how often the 95% band held the actual.</summary>
public sealed record ForecastScore(int Day, int Cases, double OurMape, double NaiveMape, double BandCoverage)
{
    /// <summary>Our MAPE over the naive run rate's: the issue wants at most 0.5.</summary>
    public double MapeRatio => NaiveMape == 0 ? 0 : OurMape / NaiveMape;
}
