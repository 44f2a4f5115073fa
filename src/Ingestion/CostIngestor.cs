using CloudSentinel.Ingestion.Journal;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Ingestion;

/// <summary>
/// The one way cost records enter the pipeline, whatever their source (HTTP, FOCUS files, the CLI,
/// API pollers, the demo feed): validate every record, and only if all are valid, route cluster
/// cost to its cluster, fold the rest into hourly buckets per (tenant, service), and append all of
/// the request's messages to the ingest journal at once. A request is applied whole or not at all,
/// and a returned <see cref="IngestOutcome"/> that is accepted means durable.
/// </summary>
public sealed class CostIngestor(
    IIngestJournal journal, IOptions<IngestLimits> limits, TimeProvider clock, IIngestCounter counter, ClusterCostRouter router, ServiceCardinality cardinality)
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
            counter.Rejected(records.Select(r => r.Tenant).ToList(), errors, source);
            return IngestOutcome.Rejected(records.Count, rejectedRecords, errors);
        }

        return await IngestAsync(valid, source, cancellationToken);
    }

    /// <summary>
    /// Records read from a file or an API, checked one by one: a record the ingest rules refuse
    /// (e.g. older than Ingest:MaxAge) is left out and listed, and the rest is ingested as one request.
    /// </summary>
    public async Task<PartialIngest> IngestEachAsync(IReadOnlyList<CostRecord> records, string source, CancellationToken cancellationToken)
    {
        var validator = new CostRecordValidator(limits.Value, clock);
        var accepted = new List<CostRecord>(records.Count);
        var refused = new List<RefusedRecord>();
        var errors = new List<IngestError>();
        for (var i = 0; i < records.Count; i++)
        {
            errors.Clear();
            if (validator.Validate(CostRecordFields.From(records[i], i), errors) is { } valid) router.Check(valid, i, errors);
            if (errors.Count == 0) accepted.Add(records[i]);
            else refused.Add(new RefusedRecord(records[i], errors[0]));
        }

        if (refused.Count > 0) counter.Rejected(refused.Select(r => (string?)r.Record.Tenant).ToList(), refused.Select(r => r.Error).ToList(), source);
        var outcome = await IngestAsync(accepted, source, cancellationToken);
        return new PartialIngest(outcome, accepted, refused);
    }

    /// <summary>Records that are already valid (the demo feed, records checked by <see cref="IngestEachAsync"/>).</summary>
    /// <exception cref="IngestUnavailableException">The journal cannot take the request now; nothing was applied.</exception>
    public async Task<IngestOutcome> IngestAsync(IReadOnlyList<CostRecord> records, string source, CancellationToken cancellationToken)
    {
        // A cluster's own cost goes to its cluster grain, which allocates it to services; it must not also count under its service name.
        var clusterInputs = new ClusterInputAggregator();
        var buckets = new BucketAggregator();
        foreach (var record in await cardinality.FoldAsync(router.Split(records, clusterInputs))) buckets.Add(record);
        await journal.AppendAsync(buckets.Batches().ToList(), await cardinality.FoldAsync(clusterInputs.Batches().ToList()), cancellationToken);
        counter.Accepted(records.Select(r => r.Tenant).ToList(), source);
        return IngestOutcome.Accepted(records.Count, buckets.ServiceCount, buckets.BucketCount + clusterInputs.BucketCount);
    }
}

/// <summary>A record that the ingest rules refused, with the first reason.</summary>
public sealed record RefusedRecord(CostRecord Record, IngestError Error);

/// <summary>What <see cref="CostIngestor.IngestEachAsync"/> did: the ingest of the accepted records, and the refused ones.</summary>
public sealed record PartialIngest(IngestOutcome Outcome, IReadOnlyList<CostRecord> Accepted, IReadOnlyList<RefusedRecord> Refused);
