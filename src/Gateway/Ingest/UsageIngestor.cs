using CloudSentinel.Ingestion;
using CloudSentinel.Gateway.Metrics;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Gateway.Ingest;

/// <summary>
/// The one way pod usage enters the pipeline: validate every record, and only if all are valid,
/// fold them into hourly pod usage per (tenant, cluster) and publish one message per cluster.
/// </summary>
public sealed class UsageIngestor(ClusterInputPublisher publisher, IOptions<IngestLimits> limits, TimeProvider clock, IngestMetrics metrics)
{
    public async Task<IngestOutcome> IngestAsync(IReadOnlyList<UsageRecordFields> records, IReadOnlyList<IngestError> typeErrors, CancellationToken cancellationToken)
    {
        var validator = new UsageRecordValidator(limits.Value, clock);
        var errors = new List<IngestError>(typeErrors);
        var valid = new List<UsageRecord>(records.Count);
        foreach (var fields in records)
        {
            if (validator.Validate(fields, errors) is { } record) valid.Add(record);
        }

        if (errors.Count > 0)
        {
            metrics.Rejected(records.Select(r => r.Tenant).ToList(), errors, "usage");
            return IngestOutcome.Rejected(records.Count, errors.Select(e => e.Record).Distinct().Count(), errors);
        }

        return await IngestAsync(valid, cancellationToken);
    }

    /// <summary>Records that are already valid, as the synthetic feed makes them.</summary>
    public async Task<IngestOutcome> IngestAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        var aggregator = new ClusterInputAggregator();
        foreach (var record in records) aggregator.Add(record);
        await publisher.PublishAsync(aggregator.Batches(), cancellationToken);
        metrics.Accepted(records, "usage");
        return IngestOutcome.Accepted(records.Count, aggregator.ClusterCount, aggregator.BucketCount);
    }
}
