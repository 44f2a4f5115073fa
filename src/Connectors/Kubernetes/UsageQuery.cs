namespace CloudSentinel.Connectors;

/// <summary>One range query, and the metric whose absence it reveals with what to deploy for it.</summary>
public sealed record UsageQuery(UsageQuantity Quantity, string PromQl, string? RequiredMetric = null, string? Deploy = null);
