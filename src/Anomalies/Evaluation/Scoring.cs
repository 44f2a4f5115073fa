namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>
/// Scores the flagged hours of one series against its labels (docs/anomalies.md, "Quality harness"):
/// an event is detected once, however many of its detection hours are flagged, and its delay is the
/// first flagged detection hour − onset; a flag outside every event's ignore span is a false-positive hour.
/// Hours before the series' first hour are not scored.
/// </summary>
public static class Scoring
{
    public static DetectionCounts Score(LabelledSeries series, IReadOnlyList<bool> flagged)
    {
        var counts = new DetectionCounts { ServiceHours = flagged.Count - series.FirstHour };
        var covered = new bool[flagged.Count];
        foreach (var e in series.Events)
        {
            for (var h = e.Onset; h < e.IgnoreUntil; h++) covered[h] = true;
            int? delay = null;
            for (var h = e.Onset; h < e.Onset + e.DetectionHours && delay is null; h++)
            {
                if (flagged[h]) delay = h - e.Onset;
            }

            counts.AddEvent(e.Kind, delay);
        }

        for (var h = series.FirstHour; h < flagged.Count; h++)
        {
            if (flagged[h] && !covered[h]) counts.FalsePositives++;
        }

        return counts;
    }
}

/// <summary>Event and flag counts of one detector, summed over services with <see cref="Add"/>.</summary>
public sealed class DetectionCounts
{
    private static readonly int Kinds = Enum.GetValues<AnomalyKind>().Length;

    private readonly int[] _events = new int[Kinds];
    private readonly List<int>[] _delays = Enumerable.Range(0, Kinds).Select(_ => new List<int>()).ToArray();

    public int FalsePositives { get; set; }

    /// <summary>Hours the scored services existed (from their first hour), for false positives per service-month.</summary>
    public long ServiceHours { get; set; }

    public void AddEvent(AnomalyKind kind, int? delay)
    {
        _events[(int)kind]++;
        if (delay is { } d) _delays[(int)kind].Add(d);
    }

    public void Add(DetectionCounts other)
    {
        for (var k = 0; k < Kinds; k++)
        {
            _events[k] += other._events[k];
            _delays[k].AddRange(other._delays[k]);
        }

        FalsePositives += other.FalsePositives;
        ServiceHours += other.ServiceHours;
    }

    public DetectionScore ToScore(string detector)
    {
        var events = _events.Sum();
        var detected = _delays.Sum(d => d.Count);
        var precision = detected + FalsePositives == 0 ? 0 : (double)detected / (detected + FalsePositives);
        var recall = events == 0 ? 0 : (double)detected / events;
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        var byKind = Enum.GetValues<AnomalyKind>().ToDictionary(k => k, k => KindScore.Of(_events[(int)k], _delays[(int)k]));
        var perServiceMonth = ServiceHours == 0 ? 0 : FalsePositives / (ServiceHours / (double)HoursPerMonth);
        return new DetectionScore(detector, events, detected, FalsePositives, perServiceMonth, precision, recall, f1,
            KindScore.Of(events, _delays.SelectMany(d => d).ToList()), byKind);
    }

    /// <summary>A month, for false-positive hours per service per month: 30 days.</summary>
    public const int HoursPerMonth = 720;
}

/// <summary>Events of one kind (or all), how many were detected, and the delay from onset to the first flag in hours.</summary>
public sealed record KindScore(int Events, int Detected, double MeanDelayHours, int MedianDelayHours, int MaxDelayHours)
{
    public double Recall => Events == 0 ? 0 : (double)Detected / Events;

    internal static KindScore Of(int events, List<int> delays)
    {
        var sorted = delays.Order().ToArray();
        return sorted.Length == 0
            ? new KindScore(events, 0, 0, 0, 0)
            : new KindScore(events, sorted.Length, sorted.Average(), sorted[sorted.Length / 2], sorted[^1]);
    }
}

/// <summary>Precision, recall, F1, false-positive hours and detection delay of one detector.</summary>
public sealed record DetectionScore(
    string Detector,
    int Events,
    int Detected,
    int FalsePositives,
    double FalsePositivesPerServiceMonth,
    double Precision,
    double Recall,
    double F1,
    KindScore All,
    IReadOnlyDictionary<AnomalyKind, KindScore> ByKind);

/// <summary>Month-end forecast accuracy at one day of the month: MAPE in percent, and how often the 95% band held the actual.</summary>
public sealed record ForecastScore(int Day, int Cases, double OurMape, double NaiveMape, double BandCoverage)
{
    /// <summary>Our MAPE over the naive run rate's: the issue wants at most 0.5.</summary>
    public double MapeRatio => NaiveMape == 0 ? 0 : OurMape / NaiveMape;
}

public sealed record QualityResult(int Seed, SeriesScenario Scenario, int Services, int Restatements, IReadOnlyList<DetectionScore> Detection);

/// <summary>Forecast scores over every scored month, and over the months no labelled event touches.</summary>
public sealed record ForecastResult(int Seed, int Services, IReadOnlyList<ForecastScore> Forecasts, IReadOnlyList<ForecastScore> WithoutEvents);
