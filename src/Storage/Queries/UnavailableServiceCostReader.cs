using CloudSentinel.Core;

namespace CloudSentinel.Storage.Queries;

/// <summary>
/// The FOCUS export in the in-memory mode: 503, since the hourly buckets it reads are in PostgreSQL only.
/// <see cref="ReadAsync"/> refuses when called, not when first enumerated, so the answer is refused before any of it is written.
/// </summary>
public sealed class UnavailableServiceCostReader : IServiceCostReader
{
    private static StorageUnavailableException Refusal => new("the export reads service_costs in PostgreSQL; set ConnectionStrings__Postgres on the gateway");

    public IAsyncEnumerable<ServiceCostLine> ReadAsync(string tenant, DateTime from, DateTime to, CancellationToken ct) => throw Refusal;

    public Task<DateTime?> LastUpdatedAsync(string tenant, DateTime from, DateTime to, CancellationToken ct) => Task.FromException<DateTime?>(Refusal);
}
