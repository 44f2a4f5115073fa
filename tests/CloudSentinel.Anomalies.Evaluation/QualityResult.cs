namespace CloudSentinel.Anomalies.Evaluation;

/// <summary>Detection scores of every detector on one scenario and seed.</summary>
public sealed record QualityResult(int Seed, SeriesScenario Scenario, int Services, int Restatements, IReadOnlyList<DetectionScore> Detection);
