using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Gateway.Metrics;

/// <summary>
/// Pulls changed service snapshots from the metrics shards four times a second and applies them
/// to the gauges. A scrape reads the gauges only; it never waits on the cluster. Each shard is
/// polled on its own, so a shard that answers late (its silo busy, or dead and not yet declared
/// so) holds back only its own services' gauges, not every shard's.
/// </summary>
public sealed class SnapshotPoller(IClusterClient client, GaugeExporter exporter, SharedCostGauge sharedCost, ILogger<SnapshotPoller> logger) : BackgroundService
{
    /// <summary>Short, so an anomaly reaches the gauges well within a second; an idle poll returns nothing.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly (Guid Epoch, long Version)[] _positions = new (Guid, long)[MetricsShards.Count];

    // Shards whose last poll failed. One outage (the silos still starting, or one of them gone) makes
    // many shards fail at once: the first is a warning, the rest debug, and the last to recover says so.
    private int _failingShards;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, MetricsShards.Count).Select(shard => PollShardAsync(shard, stoppingToken)));

    /// <summary>Polls every shard once and returns when all of them are applied.</summary>
    public Task PollOnceAsync() => Task.WhenAll(Enumerable.Range(0, MetricsShards.Count).Select(PollOnceAsync));

    private async Task PollShardAsync(int shard, CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(shard);
                if (failing && Interlocked.Decrement(ref _failingShards) == 0) logger.LogInformation("Every metrics shard answers again; the gauges are current");
                failing = false;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Once per outage, not four times a second per shard.
                if (!failing)
                {
                    if (Interlocked.Increment(ref _failingShards) == 1)
                        logger.LogWarning(ex, "Polling metrics shard {Shard} failed; the gauges of the services on failing shards keep their last values until they answer", shard);
                    else
                        logger.LogDebug(ex, "Polling metrics shard {Shard} failed too", shard);
                }

                failing = true;
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

    private async Task PollOnceAsync(int shard)
    {
        // Locked: a test's PollOnceAsync can poll a shard while its loop does, and a torn read of an
        // epoch and the version of another would skip changes.
        (Guid Epoch, long Version) position;
        lock (_positions) position = _positions[shard];
        var (epoch, version) = position;
        var changes = await client.GetGrain<IMetricsShardGrain>(shard).GetChangesSince(epoch, version);
        foreach (var snapshot in changes.Snapshots) exporter.Apply(snapshot);
        foreach (var cluster in changes.Clusters ?? []) sharedCost.Apply(cluster);
        lock (_positions) _positions[shard] = (changes.Epoch, changes.Version);
    }
}
