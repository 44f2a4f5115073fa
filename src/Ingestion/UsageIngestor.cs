using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Ingestion;

/// <summary>
/// The one way pod usage enters the pipeline: validate every record, and only if all are valid,
/// fold them into hourly pod usage per (tenant, cluster) and append one message per cluster to the
/// ingest journal, all at once.
/// </summary>
public sealed class UsageIngestor(IIngestJournal journal, IOptions<IngestLimits> limits, TimeProvider clock, IIngestCounter counter, ServiceCardinality cardinality)
{
    public const string Source = "usage";

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
            counter.Rejected(records.Select(r => r.Tenant).ToList(), errors, Source);
            return IngestOutcome.Rejected(records.Count, errors.Select(e => e.Record).Distinct().Count(), errors);
        }

        return await IngestAsync(valid, cancellationToken);
    }

    /// <summary>
    /// For sources that read usage themselves (a cluster's Prometheus): every record is validated as
    /// the endpoint would, the valid ones are ingested and the refused ones returned with their first
    /// reason, so one odd pod does not hold back a cluster's hour.
    /// </summary>
    public async Task<(IngestOutcome Outcome, IReadOnlyList<IngestError> Refused)> IngestEachAsync(IReadOnlyList<UsageRecordFields> records, CancellationToken cancellationToken)
    {
        var validator = new UsageRecordValidator(limits.Value, clock);
        var valid = new List<UsageRecord>(records.Count);
        var refused = new List<IngestError>();
        var refusedTenants = new List<string?>();
        var errors = new List<IngestError>();
        foreach (var fields in records)
        {
            errors.Clear();
            if (validator.Validate(fields, errors) is { } record) valid.Add(record);
            else
            {
                refused.Add(errors[0]);
                refusedTenants.Add(fields.Tenant);
            }
        }

        if (refused.Count > 0) counter.Rejected(refusedTenants, refused, Source);
        var outcome = valid.Count > 0 ? await IngestAsync(valid, cancellationToken) : IngestOutcome.Accepted(0, 0, 0);
        return (outcome, refused);
    }

    /// <summary>
    /// Records that are already valid, as the synthetic feed makes them. Internal because it skips
    /// validation: every other source goes through the overload that takes the parsed fields, or <see cref="IngestEachAsync"/>.
    /// </summary>
    /// <exception cref="IngestUnavailableException">The journal cannot take the request now; nothing was applied.</exception>
    internal async Task<IngestOutcome> IngestAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        var aggregator = new ClusterInputAggregator();
        foreach (var record in await cardinality.FoldAsync(records)) aggregator.Add(record);
        await journal.AppendAsync([], await cardinality.FoldAsync(aggregator.Batches().ToList()), cancellationToken);
        counter.Accepted(records.Select(r => r.Tenant).ToList(), Source);
        return IngestOutcome.Accepted(records.Count, aggregator.ClusterCount, aggregator.BucketCount);
    }
}
