namespace CloudSentinel.Connectors;

/// <summary>One series of a Prometheus range-query answer: its labels and its points (unix milliseconds, value).</summary>
public sealed record PrometheusSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(long TimestampMs, double Value)> Points);
