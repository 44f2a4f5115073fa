namespace CloudSentinel.Anomalies.Evaluation;

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
