using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
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
    IIngestJournal journal, IOptions<IngestLimits> limits, TimeProvider clock, IIngestCounter counter, ClusterCostRouter router, ServiceCardinality cardinality,
    IBucketDetailStore details)
{
    /// <summary>A request whose records are checked and folded as they are read (see <see cref="CostRequest"/>).</summary>
    public CostRequest Begin() => new(new CostRecordValidator(limits.Value, clock), router);

    /// <summary>
    /// Appends the request to the ingest journal if no record was refused (by the parser's
    /// <paramref name="typeErrors"/> or the ingest rules); otherwise nothing, and the reasons.
    /// </summary>
    /// <exception cref="IngestUnavailableException">The journal cannot take the request now; nothing was applied.</exception>
    public async Task<IngestOutcome> CommitAsync(CostRequest request, IReadOnlyList<IngestError> typeErrors, string source, CancellationToken cancellationToken)
    {
        if (typeErrors.Count > 0 || request.Errors.Count > 0)
        {
            var errors = typeErrors.Concat(request.Errors).ToList();
            counter.Rejected(request.Tenants, errors, source);
            return IngestOutcome.Rejected(request.Records, request.RefusedRecords(typeErrors), errors);
        }

        return await AppendAsync(request, source, cancellationToken);
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

    /// <summary>
    /// Records that are already valid (the demo feed, records checked by <see cref="IngestEachAsync"/>).
    /// Internal because it skips validation: every other source goes through <see cref="CommitAsync"/> or <see cref="IngestEachAsync"/>.
    /// </summary>
    /// <exception cref="IngestUnavailableException">The journal cannot take the request now; nothing was applied.</exception>
    internal Task<IngestOutcome> IngestAsync(IReadOnlyList<CostRecord> records, string source, CancellationToken cancellationToken)
    {
        var request = new CostRequest(null, router);
        foreach (var record in records) request.AddValid(record);
        return AppendAsync(request, source, cancellationToken);
    }

    private async Task<IngestOutcome> AppendAsync(CostRequest request, string source, CancellationToken cancellationToken)
    {
        var (buckets, clusters) = (request.Buckets, request.Clusters);
        // Descriptions first: if they cannot be kept the request fails whole, and a retry rewrites them (they are upserts, like buckets).
        await details.SaveAsync(request.Details.Described, cancellationToken);
        await journal.AppendAsync(
            await cardinality.FoldAsync(buckets.Batches().ToList()), await cardinality.FoldAsync(clusters.Batches().ToList()), cancellationToken);
        counter.Accepted(request.Tenants!, source);
        return IngestOutcome.Accepted(request.Records, buckets.ServiceCount, buckets.BucketCount + clusters.BucketCount);
    }
}

/// <summary>A record that the ingest rules refused, with the first reason.</summary>
public sealed record RefusedRecord(CostRecord Record, IngestError Error);

/// <summary>What <see cref="CostIngestor.IngestEachAsync"/> did: the ingest of the accepted records, and the refused ones.</summary>
public sealed record PartialIngest(IngestOutcome Outcome, IReadOnlyList<CostRecord> Accepted, IReadOnlyList<RefusedRecord> Refused);
