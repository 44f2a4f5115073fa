namespace CloudSentinel.Connectors;

/// <summary>
/// What a checker knows about the origin charge of split rows when the dataset holds only the parts: its
/// summable metrics and its Tags, from a source other than the file (for CloudSentinel, <c>service_costs</c>).
/// A metric left out is not checked; a null metric means the origin has none (its parts must have none either).
/// </summary>
public sealed record FocusOriginCharge(IReadOnlyDictionary<string, decimal?> Metrics, IReadOnlyDictionary<string, string> Tags);
