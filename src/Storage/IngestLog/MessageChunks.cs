using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Storage.IngestLog;

/// <summary>
/// Splits large messages so that no log row or grain call carries more than
/// <see cref="MaxItemsPerMessage"/> bucket updates. Within one request every key occurs once
/// (the aggregators sum them), so the pieces are independent and together say exactly what the whole did.
/// </summary>
public static class MessageChunks
{
    public const int MaxItemsPerMessage = 4_000;

    public static IEnumerable<CostBatch> Split(CostBatch batch) =>
        batch.Updates.Length <= MaxItemsPerMessage
            ? [batch]
            : batch.Updates.Chunk(MaxItemsPerMessage).Select(part => batch with { Updates = part });

    public static IEnumerable<ClusterInputBatch> Split(ClusterInputBatch batch)
    {
        if (batch.Costs.Length + batch.Usage.Length <= MaxItemsPerMessage) return [batch];
        // Cost buckets and pod usage of one hour may land in different pieces: the cluster grain
        // recomputes the hours of every piece from everything it holds, so the order does not matter.
        return batch.Costs.Chunk(MaxItemsPerMessage).Select(part => batch with { Costs = part, Usage = [] })
            .Concat(batch.Usage.Chunk(MaxItemsPerMessage).Select(part => batch with { Costs = [], Usage = part }));
    }
}
