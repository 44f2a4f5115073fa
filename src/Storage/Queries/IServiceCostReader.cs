using CloudSentinel.Core;

namespace CloudSentinel.Storage.Queries;

/// <summary>A tenant's hourly buckets as the FOCUS export reads them: streamed in time order, with how recent they are.</summary>
public interface IServiceCostReader
{
    /// <summary>The buckets of [<paramref name="from"/>, <paramref name="to"/>) in time order, read row by row as the caller asks for them.</summary>
    IAsyncEnumerable<ServiceCostLine> ReadAsync(string tenant, DateTime from, DateTime to, CancellationToken ct);

    /// <summary>The newest change of the tenant's buckets in [from, to): the metadata's RecencyLastUpdated.</summary>
    Task<DateTime?> LastUpdatedAsync(string tenant, DateTime from, DateTime to, CancellationToken ct);
}
