namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>
/// The final verdict of every hour of one series for one detector, and the replay clock at which a
/// still-standing flag was raised (a restatement can raise or clear a flag later).
/// </summary>
internal sealed class FlagTrack(int hours)
{
    private readonly bool[] _flagged = new bool[hours];
    private readonly int[] _flaggedAt = new int[hours];

    public void Record(int hour, bool flagged, int clock)
    {
        if (flagged && !_flagged[hour]) _flaggedAt[hour] = clock;
        _flagged[hour] = flagged;
    }

    /// <summary>Scores the flags against the labels: see docs/anomalies.md for the rules.</summary>
    public DetectionCounts Score(IReadOnlyList<InjectedEvent> events)
    {
        var counts = new DetectionCounts();
        var covered = new bool[_flagged.Length];
        foreach (var e in events)
        {
            for (var h = e.Onset; h < e.IgnoreUntil; h++) covered[h] = true;
            int? delay = null;
            for (var h = e.Onset; h < e.Onset + e.DetectionHours; h++)
            {
                if (_flagged[h]) delay = Math.Min(delay ?? int.MaxValue, _flaggedAt[h] - e.Onset);
            }

            counts.AddEvent(e.Kind, delay);
        }

        for (var h = 0; h < _flagged.Length; h++)
        {
            if (_flagged[h] && !covered[h]) counts.FalsePositives++;
        }

        return counts;
    }
}

/// <summary>Event and flag counts of one detector, summed over services.</summary>
internal sealed class DetectionCounts
{
    private readonly int[] _events = new int[4];
    private readonly int[] _detected = new int[4];

    public int FalsePositives { get; set; }

    public List<int> Delays { get; } = [];

    public void AddEvent(AnomalyKind kind, int? delay)
    {
        _events[(int)kind]++;
        if (delay is not { } d) return;
        _detected[(int)kind]++;
        Delays.Add(d);
    }

    public void Add(DetectionCounts other)
    {
        for (var k = 0; k < _events.Length; k++)
        {
            _events[k] += other._events[k];
            _detected[k] += other._detected[k];
        }

        FalsePositives += other.FalsePositives;
        Delays.AddRange(other.Delays);
    }

    public DetectionScore ToScore(string detector)
    {
        var events = _events.Sum();
        var detected = _detected.Sum();
        var precision = detected + FalsePositives == 0 ? 0 : (double)detected / (detected + FalsePositives);
        var recall = events == 0 ? 0 : (double)detected / events;
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        var sorted = Delays.Order().ToArray();
        var byKind = Enum.GetValues<AnomalyKind>().ToDictionary(k => k, k => (_events[(int)k], _detected[(int)k]));
        return new DetectionScore(
            detector, events, detected, FalsePositives, precision, recall, f1,
            sorted.Length == 0 ? 0 : sorted.Average(),
            sorted.Length == 0 ? 0 : sorted[sorted.Length / 2],
            byKind);
    }
}

/// <summary>Precision, recall, F1 and detection delay (hours from onset to the flag) of one detector.</summary>
public sealed record DetectionScore(
    string Detector,
    int Events,
    int Detected,
    int FalsePositives,
    double Precision,
    double Recall,
    double F1,
    double MeanDelayHours,
    int MedianDelayHours,
    IReadOnlyDictionary<AnomalyKind, (int Events, int Detected)> ByKind);

/// <summary>Month-end forecast accuracy at one day of the month: MAPE in percent, and how often the band held the actual.</summary>
public sealed record ForecastScore(int Day, int Cases, double OurMape, double NaiveMape, double BandCoverage);

public sealed record QualityResult(int Seed, int Services, int Hours, int Restatements, IReadOnlyList<DetectionScore> Detection, IReadOnlyList<ForecastScore> Forecasts);
