namespace CloudSentinel.Anomalies.Evaluation;

public enum AnomalyKind
{
    Spike,
    LevelShift,
    SlowRamp,
    DropToZero,
}

/// <summary>
/// An injected anomaly, in hour indexes of its series. Hours [Onset, Onset + DetectionHours) are where
/// a flag detects it; hours [Onset, IgnoreUntil) are its affected span plus recovery, where other
/// flags are neither credited nor counted as false positives.
/// </summary>
public sealed record InjectedEvent(AnomalyKind Kind, int Onset, int DetectionHours, int IgnoreUntil);

/// <summary>A later, absolute replacement of one hour's total, landing with hour <c>LandsAt</c>.</summary>
public sealed record Restatement(int LandsAt, int Hour, decimal Usd);

/// <summary>
/// One service's generated hourly series: the value each hour first lands with, the restatements
/// that follow, and the labelled anomalies. <see cref="Final"/> is the series after all restatements.
/// </summary>
public sealed record LabelledSeries(
    int Service,
    DateTime Start,
    decimal[] Initial,
    decimal[] Final,
    IReadOnlyList<Restatement> Restatements,
    IReadOnlyList<InjectedEvent> Events);
