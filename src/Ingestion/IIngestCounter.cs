using CloudSentinel.Core;

namespace CloudSentinel.Ingestion;

/// <summary>
/// Counts what ingest accepted and rejected, by tenant and source. The gateway counts into
/// cloudsentinel_ingest_records_total; a silo, which has no metrics endpoint, counts nothing.
/// </summary>
public interface IIngestCounter
{
    void Accepted(IReadOnlyList<string> tenants, string source);

    /// <summary>Every record of a rejected request counts as rejected, by the tenant it named (which may be missing or invalid).</summary>
    void Rejected(IReadOnlyList<string?> tenants, IReadOnlyList<IngestError> errors, string source);

    /// <summary>New names of <paramref name="kind"/> (e.g. service) that a tenant's cap folded into the overflow.</summary>
    void Overflowed(string tenant, string kind, int names);
}

/// <summary>The counter of hosts that export no ingest metrics.</summary>
public sealed class NoIngestCounter : IIngestCounter
{
    public void Accepted(IReadOnlyList<string> tenants, string source) { }

    public void Rejected(IReadOnlyList<string?> tenants, IReadOnlyList<IngestError> errors, string source) { }

    public void Overflowed(string tenant, string kind, int names) { }
}
