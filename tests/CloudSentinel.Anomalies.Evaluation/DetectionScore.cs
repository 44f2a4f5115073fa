namespace CloudSentinel.Anomalies.Evaluation;

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
