using CloudSentinel.Core;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Gateway.Metrics;

/// <summary>cloudsentinel_ingest_records_total{tenant, source, outcome}.</summary>
public sealed class IngestMetrics(TenantRegistries registries) : IIngestCounter
{
    /// <summary>Rejected records whose tenant is not a valid name are counted under this label, keeping cardinality bounded.</summary>
    public const string InvalidTenant = "_invalid";

    private readonly TenantCounter _records = registries.Counter(
        "cloudsentinel_ingest_records_total",
        "Cost records received by the gateway, by tenant, source (http, synthetic, focus, ...) and outcome (accepted, rejected).",
        "tenant", "source", "outcome");

    private readonly TenantCounter _overflow = registries.Counter(
        "cloudsentinel_cardinality_overflow_total",
        "Names beyond a tenant's caps, by kind: service (folded into service __overflow__, money intact, counted per request), cluster (pooled in cluster __overflow__, per request), series (services left without series of their own on this gateway, once each).",
        "tenant", "kind");

    public void Overflowed(string tenant, string kind, int names) => _overflow.Inc([tenant, kind], names);

    public void Accepted(IReadOnlyList<string> tenants, string source)
    {
        foreach (var group in tenants.GroupBy(t => t)) _records.Inc([group.Key, source, "accepted"], group.Count());
    }

    /// <summary>Counts rejected records by the tenant each named (<see cref="InvalidTenant"/> when that is not a valid name).</summary>
    public void Rejected(IReadOnlyList<string?> tenants, IReadOnlyList<IngestError> errors, string source)
    {
        foreach (var group in tenants.GroupBy(t => Names.CheckTenant(t) is null ? t! : InvalidTenant))
        {
            // A batch is applied whole or not at all, so every record of a rejected batch counts as rejected.
            _records.Inc([group.Key, source, "rejected"], group.Count());
        }

        var unparsed = errors.Select(e => e.Record).Distinct().Count(i => i >= tenants.Count);
        if (unparsed > 0) _records.Inc([InvalidTenant, source, "rejected"], unparsed);
    }
}
