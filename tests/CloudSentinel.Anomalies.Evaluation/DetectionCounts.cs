namespace CloudSentinel.Anomalies.Evaluation;

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
