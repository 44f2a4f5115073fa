using CloudSentinel.Allocation;
using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Abstractions.Persistence;
using CloudSentinel.Grains.Clusters;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Grains;

using ServiceBucketMap = Dictionary<string, Dictionary<BucketKey, BucketAmount>>;

/// <summary>
/// The shared cost of one (tenant, cluster). Holds the cluster's hourly cost buckets and pod usage;
/// each ingest message allocates every hour it touches again with <see cref="ClusterAllocator"/>:
/// the result replaces the hour in PostgreSQL, goes to the service grains through the ingest journal
/// as absolute <c>shared:{cluster}</c> buckets, and feeds the shared cost gauge. The message is
/// acknowledged only once inputs, results and the services' shares are all committed. Hours are
/// recomputed whether or not the message changed them, so a redelivered message repairs whatever a
/// crash cut short.
/// </summary>
public sealed class ClusterAllocationGrain(
    IAllocationStore store,
    IIngestJournal journal,
    TimeProvider clock,
    IOptions<AllocationOptions> options,
    ILogger<ClusterAllocationGrain> logger)
    : Grain, IClusterAllocationGrain
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan SnapshotRefresh = TimeSpan.FromSeconds(60);

    private readonly ClusterHours _inputs = new();
    private Dictionary<DateTime, ServiceBucketMap> _published = new();
    private string _tenant = "";
    private string _cluster = "";
    private DateTime _lastPruned = DateTime.MinValue;
    private ClusterSnapshot? _snapshot;
    private readonly HashSet<DateTime> _recomputed = [];
    private DateTime _snapshotSent = DateTime.MinValue;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _cluster) = ServiceKey.Parse(this.GetPrimaryKeyString());
        var restored = await store.LoadAsync(_tenant, _cluster, Cutoff, DateTime.MaxValue, cancellationToken);
        _inputs.Apply(restored.Costs, restored.Usage);
        _published = restored.Published.ToDictionary(p => p.Key, p => p.Value);
        if (restored.Costs.Count + restored.Usage.Count > 0)
        {
            logger.LogInformation("Restored {Costs} cost buckets and {Usage} pod hours of cluster {Tenant}/{Cluster}",
                restored.Costs.Count, restored.Usage.Count, _tenant, _cluster);
        }

        this.RegisterGrainTimer(OnTickAsync, new GrainTimerCreationOptions { DueTime = Tick, Period = Tick, Interleave = false });
    }

    public async Task Apply(ClusterInputBatch batch, long sequence)
    {
        try
        {
            var applied = _inputs.Apply(batch.Costs, batch.Usage, sequence);
            store.EnqueueInputs(_tenant, _cluster, applied.Costs, applied.Usage);
            var cutoff = Cutoff;
            var hours = batch.Costs.Select(c => Utc(c.Key.Hour)).Concat(batch.Usage.Select(u => Utc(u.Key.Hour))).ToHashSet();
            var updates = Recompute(_inputs, _published, hours.Where(h => h >= cutoff).Order());
            if (hours.Any(h => h < cutoff)) await RecomputeHistoryAsync(hours.Where(h => h < cutoff).Order().ToList(), updates);
            if (updates.Count > 0) await journal.AppendAsync([.. updates.Select(u => new CostBatch(_tenant, u.Key, [.. u.Value]))], [], CancellationToken.None);
            await store.CommitAsync(_tenant, _cluster);
        }
        catch
        {
            // Memory must not run ahead of what was committed: the next activation reloads it.
            DeactivateOnIdle();
            throw;
        }
    }

    public Task<ClusterAllocationView> GetAllocation(DateTime from, DateTime to)
    {
        var policy = options.Value.PolicyFor(_tenant);
        var hours = _inputs.Hours
            .Where(h => h.Key >= from && h.Key < to)
            .Select(h => (Inputs: h.Value, Allocation: Allocate(h.Value, policy)))
            .Where(h => h.Allocation is not null)
            .Select(h => AllocationViews.Hour(h.Inputs, h.Allocation!))
            .ToArray();
        return Task.FromResult(new ClusterAllocationView(
            _tenant, _cluster, policy.IdleMode.ToString(), [.. policy.SystemNamespaces.Order(StringComparer.Ordinal)], policy.ShareSystemNamespaces, hours));
    }

    private async Task OnTickAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        if (now - _lastPruned > TimeSpan.FromHours(1))
        {
            var cutoff = Cutoff;
            _inputs.PruneBefore(cutoff);
            foreach (var hour in _published.Keys.Where(h => h < cutoff).ToList()) _published.Remove(hour);
            _lastPruned = now;
        }

        await PublishSnapshotAsync(now);
    }

    /// <summary>
    /// Allocates the hours again from <paramref name="inputs"/>, records the results, and returns per
    /// service what differs from what the services hold (<paramref name="published"/>, updated here).
    /// </summary>
    private Dictionary<string, List<BucketUpdate>> Recompute(ClusterHours inputs, Dictionary<DateTime, ServiceBucketMap> published, IEnumerable<DateTime> hours,
        Dictionary<string, List<BucketUpdate>>? updates = null)
    {
        var policy = options.Value.PolicyFor(_tenant);
        updates ??= new Dictionary<string, List<BucketUpdate>>(StringComparer.Ordinal);
        foreach (var hour in hours)
        {
            if (!inputs.Hours.TryGetValue(hour, out var hourInputs) || Allocate(hourInputs, policy) is not { } allocation) continue;
            var after = SharedCostBuckets.From(_cluster, hour, hourInputs.Provider, allocation);
            var before = published.GetValueOrDefault(hour) ?? new ServiceBucketMap();
            foreach (var (service, changes) in SharedCostBuckets.Changes(before, after))
            {
                if (updates.TryGetValue(service, out var list)) list.AddRange(changes);
                else updates.Add(service, changes);
            }

            published[hour] = after;
            _recomputed.Add(hour);
            store.EnqueueAllocation(_tenant, _cluster, new AllocatedHour(hour, AllocationViews.Rows(allocation), AllocationViews.Pods(allocation), after));
        }

        return updates;
    }

    /// <summary>
    /// Hours older than the retention are not held in memory: their inputs (this message's included,
    /// pending or committed) are read from the store and allocated, so a history import of any age
    /// reaches the services' totals. What services hold for such an hour comes from the store the
    /// first time and is then kept with the rest (until the hourly prune), because the shares sent a
    /// moment ago may still be in the ingest log and not yet in service_costs.
    /// </summary>
    private async Task RecomputeHistoryAsync(List<DateTime> hours, Dictionary<string, List<BucketUpdate>> updates)
    {
        foreach (var span in hours.Chunk(24 * 7))
        {
            var stored = await store.LoadAsync(_tenant, _cluster, span[0], span[^1].AddHours(1), CancellationToken.None);
            var history = new ClusterHours();
            history.Apply(stored.Costs, stored.Usage);
            foreach (var (hour, services) in stored.Published) _published.TryAdd(hour, services);
            Recompute(history, _published, span, updates);
        }
    }

    /// <summary>Publishes the gauge snapshot when its hour was recomputed, when the clock moved the latest hour, or as a periodic refresh.</summary>
    private async Task PublishSnapshotAsync(DateTime now)
    {
        var latest = _inputs.LatestBefore(UtcHours.HourStart(now));
        var changed = _snapshot is null || _snapshot.LatestHour != latest || (latest is { } hour && _recomputed.Contains(hour));
        _recomputed.Clear();
        if (!changed && now - _snapshotSent < SnapshotRefresh) return;

        if (changed)
        {
            var rows = latest is { } l && Allocate(_inputs.Hours[l], options.Value.PolicyFor(_tenant)) is { } allocation
                ? AllocationViews.Rows(allocation)
                : [];
            _snapshot = new ClusterSnapshot(_tenant, _cluster, latest, rows);
        }

        await GrainFactory.GetGrain<IMetricsShardGrain>(MetricsShards.For(_snapshot!.Key)).PublishCluster(_snapshot);
        _snapshotSent = now;
    }

    private ClusterAllocation? Allocate(ClusterHour inputs, AllocationPolicy policy)
    {
        var (cost, pods) = inputs.ToAllocationInputs();
        try
        {
            return ClusterAllocator.Allocate(cost, pods, policy);
        }
        catch (ArgumentException ex)
        {
            // Ingest validates what the allocator checks, so this is a defect; one bad hour must not stop the others.
            logger.LogError(ex, "Cluster {Tenant}/{Cluster}: hour {Hour:O} cannot be allocated", _tenant, _cluster, inputs.Hour);
            return null;
        }
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private DateTime Cutoff => UtcHours.HourStart(Now).AddTicks(-options.Value.Retention.Ticks);

    private static DateTime Utc(DateTime hour) => DateTime.SpecifyKind(hour, DateTimeKind.Utc);
}
