using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Gateway.Metrics;

/// <summary>
/// Pulls changed service snapshots from the metrics shards four times a second and applies them
/// to the gauges. A scrape reads the gauges only; it never waits on the cluster.
/// </summary>
public sealed class SnapshotPoller(IClusterClient client, GaugeExporter exporter, SharedCostGauge sharedCost, ILogger<SnapshotPoller> logger) : BackgroundService
{
    /// <summary>Short, so an anomaly reaches the gauges well within a second; an idle poll returns nothing.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly (Guid Epoch, long Version)[] _positions = new (Guid, long)[MetricsShards.Count];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Polling metric snapshots failed; the gauges keep their last values");
            }

            try
            {
                await Task.Delay(Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public async Task PollOnceAsync()
    {
        var shards = Enumerable.Range(0, MetricsShards.Count)
            .Select(i => client.GetGrain<IMetricsShardGrain>(i).GetChangesSince(_positions[i].Epoch, _positions[i].Version))
            .ToArray();
        var changes = await Task.WhenAll(shards);
        for (var i = 0; i < changes.Length; i++)
        {
            foreach (var snapshot in changes[i].Snapshots) exporter.Apply(snapshot);
            foreach (var cluster in changes[i].Clusters ?? []) sharedCost.Apply(cluster);
            _positions[i] = (changes[i].Epoch, changes[i].Version);
        }
    }
}
