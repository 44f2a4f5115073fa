using CloudSentinel.Allocation;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Clusters;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace CloudSentinel.Grains;

using ServiceBucketMap = Dictionary<string, Dictionary<BucketKey, BucketAmount>>;

/// <summary>
/// The shared cost of one (tenant, cluster). Holds the cluster's hourly cost buckets and pod usage,
/// and when an hour changes (debounced, so a burst recomputes once) allocates it again with
/// <see cref="ClusterAllocator"/>: the result replaces the hour in PostgreSQL, flows to the service
/// grains as absolute <c>shared:{cluster}</c> buckets, and feeds the shared cost gauge.
/// </summary>
[ImplicitStreamSubscription(StreamNames.ClusterInputs)]
public sealed class ClusterAllocationGrain(
    IAllocationStore store,
    TimeProvider clock,
    IOptions<AllocationOptions> options,
    ILogger<ClusterAllocationGrain> logger)
    : Grain, IClusterAllocationGrain, IStreamSubscriptionObserver, IAsyncObserver<ClusterInputBatch>
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan SnapshotRefresh = TimeSpan.FromSeconds(60);

    private readonly ClusterHours _inputs = new();
    private readonly SortedSet<DateTime> _dirty = [];
    private Dictionary<DateTime, ServiceBucketMap> _published = new();
    private string _tenant = "";
    private string _cluster = "";
    private DateTime _firstChange;
    private DateTime _lastChange;
    private DateTime _lastPruned = DateTime.MinValue;
    private ClusterSnapshot? _snapshot;
    private DateTime _snapshotSent = DateTime.MinValue;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _cluster) = ServiceKey.Parse(this.GetPrimaryKeyString());
        var restored = await store.LoadAsync(_tenant, _cluster, Cutoff, cancellationToken);
        _inputs.Apply(restored.Costs, restored.Usage);
        _published = restored.Published.ToDictionary(p => p.Key, p => p.Value);
        if (restored.Costs.Count + restored.Usage.Count > 0)
        {
            logger.LogInformation("Restored {Costs} cost buckets and {Usage} pod hours of cluster {Tenant}/{Cluster}",
                restored.Costs.Count, restored.Usage.Count, _tenant, _cluster);
        }

        this.RegisterGrainTimer(OnTickAsync, new GrainTimerCreationOptions { DueTime = Tick, Period = Tick, Interleave = false });
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        handleFactory.Create<ClusterInputBatch>().ResumeAsync(this);

    public Task OnNextAsync(ClusterInputBatch batch, StreamSequenceToken? token = null)
    {
        var applied = _inputs.Apply(batch.Costs, batch.Usage);
        if (applied.Hours.Count == 0) return Task.CompletedTask;

        store.EnqueueInputs(_tenant, _cluster, applied.Costs, applied.Usage);
        var wasClean = _dirty.Count == 0;
        var cutoff = Cutoff;
        foreach (var hour in applied.Hours)
        {
            // Older hours are kept in PostgreSQL but no longer in memory, so they cannot be allocated whole.
            if (hour >= cutoff) _dirty.Add(hour);
            else logger.LogWarning("Cluster {Tenant}/{Cluster}: input for {Hour:O} is older than the retention and is stored but not allocated", _tenant, _cluster, hour);
        }

        var now = Now;
        if (wasClean) _firstChange = now;
        _lastChange = now;
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        logger.LogWarning(ex, "Cluster input stream error for {Tenant}/{Cluster}", _tenant, _cluster);
        return Task.CompletedTask;
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

        var settled = now - _lastChange >= options.Value.Debounce || now - _firstChange >= options.Value.MaxDelay;
        var recomputed = _dirty.Count > 0 && settled ? await RecomputeAsync() : [];
        await PublishSnapshotAsync(recomputed, now);
    }

    /// <summary>Allocates the changed hours again and sends services the difference. Returns the hours done.</summary>
    private async Task<HashSet<DateTime>> RecomputeAsync()
    {
        var policy = options.Value.PolicyFor(_tenant);
        var updates = new Dictionary<string, List<BucketUpdate>>(StringComparer.Ordinal);
        var done = new HashSet<DateTime>(_dirty);
        foreach (var hour in _dirty)
        {
            if (!_inputs.Hours.TryGetValue(hour, out var inputs) || Allocate(inputs, policy) is not { } allocation) continue;
            var after = SharedCostBuckets.From(_cluster, hour, inputs.Provider, allocation);
            var before = _published.GetValueOrDefault(hour) ?? new ServiceBucketMap();
            foreach (var (service, changes) in SharedCostBuckets.Changes(before, after))
            {
                if (updates.TryGetValue(service, out var list)) list.AddRange(changes);
                else updates.Add(service, changes);
            }

            _published[hour] = after;
            store.EnqueueAllocation(_tenant, _cluster, new AllocatedHour(hour, AllocationViews.Rows(allocation), AllocationViews.Pods(allocation), after));
        }

        _dirty.Clear();
        var provider = this.GetStreamProvider(StreamNames.Provider);
        await Task.WhenAll(updates.Select(u => provider
            .GetStream<CostBatch>(StreamId.Create(StreamNames.ServiceCosts, ServiceKey.Format(_tenant, u.Key)))
            .OnNextAsync(new CostBatch(_tenant, u.Key, [.. u.Value]))));
        return done;
    }

    /// <summary>Publishes the gauge snapshot when its hour was recomputed, when the clock moved the latest hour, or as a periodic refresh.</summary>
    private async Task PublishSnapshotAsync(HashSet<DateTime> recomputed, DateTime now)
    {
        var latest = _inputs.LatestBefore(HourStart(now));
        var changed = _snapshot is null || _snapshot.LatestHour != latest || (latest is { } hour && recomputed.Contains(hour));
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

    private DateTime Cutoff => HourStart(Now).AddTicks(-options.Value.Retention.Ticks);

    private static DateTime HourStart(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);
}
