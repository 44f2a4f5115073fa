using CloudSentinel.Core;

namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>
/// The rule the issue asks us to beat: z = (x − mean) / std of the trailing 7 days of hourly cost,
/// with no seasonality and no robustness; |z| above 3 is an anomaly.
/// </summary>
public static class NaiveDetector
{
    public const int TrailingHours = 168;
    public const double Threshold = 3;

    /// <summary>The z-score and the mean it compares with, or null with less than 7 days of history.</summary>
    public static (double Z, double Mean)? Evaluate(IHourlySeries series, DateTime hour)
    {
        if (series.FirstHour is not { } first || UtcHours.HoursBetween(first, hour) < TrailingHours) return null;

        double sum = 0, sumSquares = 0;
        for (var k = 1; k <= TrailingHours; k++)
        {
            var value = (double)series.CostAt(hour.AddHours(-k));
            sum += value;
            sumSquares += value * value;
        }

        var mean = sum / TrailingHours;
        var std = Math.Sqrt(Math.Max(0, sumSquares / TrailingHours - mean * mean));
        // A flat week has no scale; like the grain's HourlyZScore, report 0 rather than infinity.
        var z = std > 0 ? ((double)series.CostAt(hour) - mean) / std : 0;
        return (z, mean);
    }
}
