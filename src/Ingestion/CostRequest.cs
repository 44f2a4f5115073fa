using CloudSentinel.Core;

namespace CloudSentinel.Ingestion;

/// <summary>
/// One ingest request's cost records, checked and folded into hourly buckets as they are read.
/// A record lives only while it is read: what the request keeps is its buckets, its errors and the
/// tenant each record named, so a request of 50,000 line items holds a few thousand buckets instead
/// of 100,000 record objects until it ends (which is what made the garbage collector copy them).
/// Nothing reaches the ingest log until <see cref="CostIngestor.CommitAsync"/>, and only when no
/// record was refused: the request stays whole or nothing.
/// </summary>
public sealed class CostRequest
{
    private readonly CostRecordValidator? _validator;
    private readonly ClusterCostRouter _router;
    private readonly TenantRuns _tenants = new();
    private readonly List<IngestError> _errors = [];
    private readonly HashSet<long> _refused = [];
    private CostLineItemReader? _lineItems;

    internal CostRequest(CostRecordValidator? validator, ClusterCostRouter router)
    {
        _validator = validator;
        _router = router;
    }

    /// <summary>The tenant each record named, in order (null when it named none).</summary>
    public IReadOnlyList<string?> Tenants => _tenants;

    /// <summary>Why records were refused, in the order they were read.</summary>
    public IReadOnlyList<IngestError> Errors => _errors;

    public int Records => _tenants.Count;

    public BucketAggregator Buckets { get; } = new();

    public ClusterInputAggregator Clusters { get; } = new();

    /// <summary>The descriptions of the request's own buckets (provider service, region, sub account name).</summary>
    public BucketDetails Details { get; } = new();

    /// <summary>Checks one record as sent and, while the request has no refused record, folds it in.</summary>
    public void Add(CostRecordFields fields)
    {
        _tenants.Add(fields.Tenant);
        var before = _errors.Count;
        if (_validator!.Validate(fields, _errors) is { } record)
        {
            _router.Check(record, fields.Index, _errors);
            // Once anything is refused nothing will be applied: folding the rest would be wasted work.
            if (_errors.Count == before && _refused.Count == 0) Fold(record);
        }

        for (var i = before; i < _errors.Count; i++) _refused.Add(_errors[i].Record);
    }

    /// <summary>The fast reader of this request's records: its tables of names live as long as the request.</summary>
    public CostLineItemReader LineItems => _lineItems ??= new CostLineItemReader(_validator!, _router);

    /// <summary>A record that <see cref="LineItems"/> read and found valid: folded like <see cref="Add"/> folds it, with nothing allocated for it.</summary>
    public void Add(in CostLineItem item)
    {
        _tenants.Add(item.Tenant);
        // The fast reader only calls a record valid when no cluster tag routes it elsewhere.
        if (_refused.Count > 0) return;
        Buckets.Add(in item);
        Details.Add(in item);
    }

    /// <summary>A record that is already valid (the demo feed, records checked one by one); internal because it skips validation.</summary>
    internal void AddValid(CostRecord record)
    {
        _tenants.Add(record.Tenant);
        Fold(record);
    }

    /// <summary>Records refused by the parser or by the ingest rules (distinct record indexes).</summary>
    internal int RefusedRecords(IReadOnlyList<IngestError> typeErrors)
    {
        var refused = new HashSet<long>(_refused);
        foreach (var error in typeErrors) refused.Add(error.Record);
        return refused.Count;
    }

    private void Fold(CostRecord record)
    {
        // A cluster's own cost goes to its cluster grain, which allocates it to services; it must not also count under its service name.
        if (_router.Route(record, 0, null) is { } route) Clusters.Add(record, route);
        else
        {
            Buckets.Add(record);
            Details.Add(record);
        }
    }
}
