
using CloudSentinel.Core;

namespace CloudSentinel.Connectors;

/// <summary>
/// What one poll of an API source produced: one aggregated record per bucket key of the window,
/// the source rows that could not be mapped, and the API calls it took (each one may cost money).
/// </summary>
/// <param name="Window">The window actually read, widened to the API's granularity.</param>
public sealed record PollResult(
    PollWindow Window,
    IReadOnlyList<CostRecord> Records,
    IReadOnlyList<IngestError> Rejected,
    int ApiCalls)
{
    /// <summary>Pod usage, from sources that read a cluster (one record per pod and hour), as the usage endpoint takes it.</summary>
    public IReadOnlyList<UsageRecordFields> Usage { get; init; } = [];

    /// <summary>The billed instance ids of the cluster's nodes in the window (kube_node_info's provider_id, see <see cref="NodeProviderId"/>).</summary>
    public IReadOnlyList<string> NodeInstances { get; init; } = [];
}
