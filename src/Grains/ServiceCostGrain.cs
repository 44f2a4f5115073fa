using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Costs;
using CloudSentinel.Grains.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace CloudSentinel.Grains;

/// <summary>
/// The hourly buckets and windows of one (tenant, service). Receives <see cref="CostBatch"/>es from
/// its implicit stream, hands changed buckets to the store at once, and pushes its gauge snapshot
/// to a metrics shard at most once per <see cref="ServiceCostOptions.SnapshotInterval"/>.
/// </summary>
[ImplicitStreamSubscription(StreamNames.ServiceCosts)]
public sealed class ServiceCostGrain(
    IBucketStore store,
    TimeProvider clock,
    IOptions<ServiceCostOptions> options,
    ILogger<ServiceCostGrain> logger)
    : Grain, IServiceCostGrain, IStreamSubscriptionObserver, IAsyncObserver<CostBatch>
{
    private readonly ServiceBuckets _buckets = new();
    private string _tenant = "";
    private string _service = "";
    private bool _dirty;
    private DateTime _lastPublished = DateTime.MinValue;
    private DateTime _lastPruned = DateTime.MinValue;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _service) = ServiceKey.Parse(this.GetPrimaryKeyString());
        var since = Now.AddTicks(-options.Value.Retention.Ticks);
        var restored = await store.LoadAsync(_tenant, _service, since, cancellationToken);
        foreach (var update in restored) _buckets.Set(update.Key, update.Amount);
        _dirty = restored.Count > 0;
        if (restored.Count > 0) logger.LogInformation("Restored {Buckets} buckets of {Tenant}/{Service}", restored.Count, _tenant, _service);

        this.RegisterGrainTimer(PublishSnapshotAsync, new GrainTimerCreationOptions
        {
            DueTime = options.Value.SnapshotInterval,
            Period = options.Value.SnapshotInterval,
            Interleave = false,
        });
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        handleFactory.Create<CostBatch>().ResumeAsync(this);

    public Task OnNextAsync(CostBatch batch, StreamSequenceToken? token = null)
    {
        try
        {
            var changed = _buckets.Apply(batch.Updates);
            if (changed.Count > 0)
            {
                store.Enqueue(_tenant, _service, changed);
                _dirty = true;
            }
        }
        catch (Exception ex)
        {
            // A batch that cannot be applied must not stop the stream for the batches behind it.
            logger.LogError(ex, "Dropped a cost batch of {Count} updates for {Tenant}/{Service}", batch.Updates.Length, _tenant, _service);
        }

        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        logger.LogWarning(ex, "Cost stream error for {Tenant}/{Service}", _tenant, _service);
        return Task.CompletedTask;
    }

    public Task<ServiceCostView> GetView()
    {
        var windows = CostWindows.Compute(_buckets, Now);
        var z = windows.LatestHour is { } latest ? HourlyZScore.Of(_buckets, latest, HourlyZScore.DefaultWindow) : null;
        return Task.FromResult(new ServiceCostView(
            _tenant, _service, windows.LatestHour, windows.LatestHourUsd, windows.RunningHourUsd,
            windows.Last24HoursUsd, windows.Last7DaysUsd, windows.Last30DaysUsd, windows.MonthToDateUsd, z?.Z, _buckets.Count));
    }

    private async Task PublishSnapshotAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        if (now - _lastPruned > TimeSpan.FromHours(1))
        {
            _buckets.PruneBefore(now.AddTicks(-options.Value.Retention.Ticks));
            _lastPruned = now;
        }

        if (!_dirty && now - _lastPublished < options.Value.SnapshotRefresh) return;

        var windows = CostWindows.Compute(_buckets, now);
        var z = windows.LatestHour is { } latest ? HourlyZScore.Of(_buckets, latest, HourlyZScore.DefaultWindow) : null;
        var snapshot = SnapshotBuilder.Build(_tenant, _service, _buckets, windows, z);
        var key = this.GetPrimaryKeyString();
        await GrainFactory.GetGrain<IMetricsShardGrain>(MetricsShards.For(key)).Publish(snapshot);
        _dirty = false;
        _lastPublished = now;
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
