using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;
using CloudSentinel.Gateway.Metrics;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Gateway.Ingest;

/// <summary>
/// The one way cost records enter the pipeline, whatever their source: validate every record,
/// and only if all are valid, fold them into hourly buckets and publish one stream message per
/// (tenant, service). A request is applied whole or not at all.
/// </summary>
public sealed class CostIngestor(
    IClusterClient client, IOptions<IngestLimits> limits, TimeProvider clock, IngestMetrics metrics, ClusterCostRouter router, ClusterInputPublisher clusters)
{
    public async Task<IngestOutcome> IngestAsync(IReadOnlyList<CostRecordFields> records, IReadOnlyList<IngestError> typeErrors, string source, CancellationToken cancellationToken)
    {
        var validator = new CostRecordValidator(limits.Value, clock);
        var errors = new List<IngestError>(typeErrors);
        var valid = new List<CostRecord>(records.Count);
        foreach (var fields in records)
        {
            if (validator.Validate(fields, errors) is not { } record) continue;
            router.Check(record, fields.Index, errors);
            valid.Add(record);
        }

        if (errors.Count > 0)
        {
            var rejectedRecords = errors.Select(e => e.Record).Distinct().Count();
            metrics.Rejected(records, errors, source);
            return IngestOutcome.Rejected(records.Count, rejectedRecords, errors);
        }

        return await IngestAsync(valid, source, cancellationToken);
    }

    public async Task<IngestOutcome> IngestAsync(IReadOnlyList<CostRecord> records, string source, CancellationToken cancellationToken)
    {
        // A cluster's own cost goes to its cluster grain, which allocates it to services; it must not also count under its service name.
        var clusterInputs = new ClusterInputAggregator();
        var serviceRecords = router.Split(records, clusterInputs);
        var published = await CostPublisher.PublishAsync(client.GetStreamProvider(StreamNames.Provider), serviceRecords, cancellationToken);
        await clusters.PublishAsync(clusterInputs.Batches(), cancellationToken);
        metrics.Accepted(records, source);
        return IngestOutcome.Accepted(records.Count, published.Services, published.Buckets + clusterInputs.BucketCount);
    }
}

public sealed record IngestOutcome(bool IsAccepted, int Records, int RejectedRecords, int Services, int Buckets, IReadOnlyList<IngestError> Errors)
{
    public static IngestOutcome Accepted(int records, int services, int buckets) => new(true, records, 0, services, buckets, []);

    public static IngestOutcome Rejected(int records, int rejected, IReadOnlyList<IngestError> errors) => new(false, records, rejected, 0, 0, errors);
}
