using CloudSentinel.Anomalies;
using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Abstractions.Persistence;
using CloudSentinel.Grains.Costs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Grains;

/// <summary>
/// The hourly buckets, windows, anomaly verdicts, budget and forecast of one (tenant, service).
/// Hears of <see cref="CostBatch"/>es from the ingest log once their buckets are committed (the
/// gateway merged them; the grain never writes buckets) and keeps them in memory, judges every ended
/// hour whose data changed on arrival when it is recent, and every other hour whose verdict reads
/// changed data in the background under a silo-wide <see cref="JudgementBudget"/>
/// (<see cref="RejudgementQueue"/>), and pushes its gauge snapshot to a
/// metrics shard at most once per <see cref="ServiceCostOptions.SnapshotInterval"/> (at once when
/// an anomaly verdict changes).
/// </summary>
public sealed class ServiceCostGrain(
    IBucketStore store,
    IInsightStore insights,
    TimeProvider clock,
    IOptions<ServiceCostOptions> options,
    IOptions<AnomalyOptions> anomalyOptions,
    JudgementBudget judgementBudget,
    ILogger<ServiceCostGrain> logger)
    : Grain, IServiceCostGrain
{
    /// <summary>A month-end forecast moves slowly; recomputing it on every snapshot of a busy service wastes CPU.</summary>
    private static readonly TimeSpan ForecastRefresh = TimeSpan.FromSeconds(10);

    private (MonthForecast Forecast, DateTime At, decimal? Budget, DateTime? FirstHour)? _forecast;

    private readonly ServiceBuckets _buckets = new();
    private readonly AnomalyTracker _anomalies = new(new AnomalyDetector(anomalyOptions.Value));
    private readonly MonthForecaster _forecaster = new(anomalyOptions.Value);
    private string _tenant = "";
    private string _service = "";
    private decimal? _budget;
    private bool _dirty;
    private DateTime _lastPublished = DateTime.MinValue;
    private DateTime _lastPruned = DateTime.MinValue;
    private readonly ForecastWrites _forecastWrites = new();
    private DateTime _judgedThrough;
    private readonly RejudgementQueue _rejudge = new(anomalyOptions.Value.WindowHours, anomalyOptions.Value.WarmUp);

    /// <summary>The newest sequence this activation loaded from the store (0 in the in-memory mode, which numbers nothing).</summary>
    private long _restoredThrough;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _service) = ServiceKey.Parse(this.GetPrimaryKeyString());
        var since = Now.AddTicks(-options.Value.Retention.Ticks);
        var restored = await store.LoadAsync(_tenant, _service, since, cancellationToken);
        foreach (var bucket in restored) _buckets.Set(bucket.Key, bucket.Amount, bucket.Sequence);
        _restoredThrough = restored.Count > 0 ? restored.Max(b => b.Sequence) : 0;
        _anomalies.Restore(await insights.LoadAnomalyHoursAsync(_tenant, _service, since, cancellationToken));
        _budget = await GrainFactory.GetGrain<ITenantBudgetGrain>(_tenant).Get(_service);
        _judgedThrough = CurrentHour;
        // What was pending before deactivation is not stored: judge the restored history again, in the
        // background. Not when retention cut it off, as memory then holds less than its verdicts read.
        if (_buckets.FirstHour is { } first && first - since >= TimeSpan.FromHours(1)) _rejudge.ScheduleFrom(first, first, CurrentHour);
        else _rejudge.Changed([], _buckets.FirstHour, CurrentHour);
        _dirty = restored.Count > 0 || _budget is not null;
        if (restored.Count > 0) logger.LogInformation("Restored {Buckets} buckets of {Tenant}/{Service}", restored.Count, _tenant, _service);

        this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions
        {
            DueTime = options.Value.SnapshotInterval,
            Period = options.Value.SnapshotInterval,
            Interleave = false,
        });
    }

    public async Task Apply(CostBatch batch, long sequence)
    {
        // The buckets are already committed with this sequence; memory catches up. A request merged
        // before this activation loaded its buckets brings memory nothing new, yet nobody judged its
        // hours: every one of its current updates counts as changed.
        var (current, changed) = _buckets.Apply(batch.Updates, sequence);
        if (sequence <= _restoredThrough) changed = current;
        if (changed.Count == 0) return;
        _dirty = true;
        var recent = CurrentHour - options.Value.ImmediateJudgement;
        var hours = changed.Select(u => DateTime.SpecifyKind(u.Key.Hour, DateTimeKind.Utc)).Distinct().ToList();
        _rejudge.Changed(hours, _buckets.FirstHour, CurrentHour);
        var now = hours.Where(h => h >= recent).ToList();
        _rejudge.Judged(now);
        if (JudgeHours(now)) await PublishSnapshotAsync();
    }

    public Task<ServiceCostView> GetView()
    {
        var windows = CostWindows.Compute(_buckets, Now);
        var verdict = windows.LatestHour is { } latest ? _anomalies.Evaluate(_buckets, latest) : null;
        var forecast = Forecast(windows);
        return Task.FromResult(new ServiceCostView(
            _tenant, _service, windows.LatestHour, windows.LatestHourUsd, windows.RunningHourUsd,
            windows.Last24HoursUsd, windows.Last7DaysUsd, windows.Last30DaysUsd, windows.MonthToDateUsd, verdict?.ZScore, _buckets.Count,
            verdict?.ExpectedUsd, _budget, forecast.ForecastUsd));
    }

    public Task SetBudget(decimal? monthlyUsd)
    {
        _budget = monthlyUsd;
        _dirty = true;
        _forecastWrites.Invalidate();
        return Task.CompletedTask;
    }

    /// <summary>Judges the hours whose data changed; returns true when an anomaly verdict changed.</summary>
    private bool JudgeHours(IEnumerable<DateTime> hours)
    {
        var changes = _anomalies.Judge(_buckets, hours, CurrentHour);
        foreach (var (hour, anomaly) in changes)
        {
            if (anomaly is null)
            {
                insights.RemoveAnomaly(_tenant, _service, hour);
                continue;
            }

            insights.SaveAnomaly(new AnomalyRecord(_tenant, _service, hour, anomaly.ActualUsd, anomaly.ExpectedUsd ?? 0m, anomaly.ZScore ?? 0d,
                anomaly.Direction == AnomalyDirection.Down ? "down" : "up", anomaly.Reason));
            logger.LogInformation("Cost anomaly {Tenant}/{Service} at {Hour:u}: {Reason}", _tenant, _service, hour, anomaly.Reason);
        }

        return changes.Count > 0;
    }

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        var current = CurrentHour;
        if (current > _judgedThrough)
        {
            // Hours that ended since the last tick get their verdict now that they are complete.
            var ended = new List<DateTime>();
            for (var hour = _judgedThrough; hour < current; hour = hour.AddHours(1)) ended.Add(hour);
            _judgedThrough = current;
            if (JudgeHours(ended)) _dirty = true;
        }

        var due = _rejudge.Take(current, _buckets.FirstHour, wanted => judgementBudget.Take(Math.Min(wanted, options.Value.BackgroundJudgementsPerTick)));
        if (due.Count > 0 && JudgeHours(due)) _dirty = true;

        if (now - _lastPruned > TimeSpan.FromHours(1))
        {
            _buckets.PruneBefore(now.AddTicks(-options.Value.Retention.Ticks));
            _lastPruned = now;
        }

        if (_dirty || now - _lastPublished >= options.Value.SnapshotRefresh) await PublishSnapshotAsync();
        else if (_forecastWrites.Pending(now)) SaveForecastIfDue(now, Forecast(CostWindows.Compute(_buckets, now)));
    }

    private async Task PublishSnapshotAsync()
    {
        var now = Now;
        var windows = CostWindows.Compute(_buckets, now);
        var verdict = windows.LatestHour is { } latest ? _anomalies.Evaluate(_buckets, latest) : null;
        var forecast = Forecast(windows);
        // A forecast of a service with less than a day of history is only its month to date: no row, so that
        // tenant totals know it is still warming up.
        SaveForecastIfDue(now, forecast);

        var snapshot = SnapshotBuilder.Build(_tenant, _service, _buckets, windows, verdict) with
        {
            BudgetUsd = _budget,
            ForecastMonthUsd = forecast.ForecastUsd,
            ForecastComputed = forecast.Basis != ForecastBasis.MonthToDateOnly,
        };
        await GrainFactory.GetGrain<IMetricsShardGrain>(MetricsShards.For(snapshot.Key)).Publish(snapshot);
        _dirty = false;
        _lastPublished = now;
    }

    private void SaveForecastIfDue(DateTime now, MonthForecast forecast)
    {
        if (_buckets.Count == 0 || forecast.Basis == ForecastBasis.MonthToDateOnly || !_forecastWrites.Due(now, forecast.Month, forecast.ForecastUsd)) return;
        insights.SaveForecast(new ForecastRecord(_tenant, _service, forecast.Month, forecast.ForecastUsd, forecast.LowerUsd, forecast.UpperUsd,
            _budget, forecast.ForecastExceedsBudget));
        _forecastWrites.Written(now, forecast.Month, forecast.ForecastUsd);
    }

    /// <summary>The forecast of the running month, as of the last ended hour.</summary>
    private MonthForecast Forecast(CostWindows windows)
    {
        var asOf = windows.CurrentHour.AddHours(-1);
        // A backfill that moves the first hour can end the warm-up (ForecastBasis.MonthToDateOnly): recompute then.
        var first = _buckets.FirstHour;
        if (_forecast is { } cached && cached.Budget == _budget && cached.Forecast.AsOfHour == asOf && cached.FirstHour == first && Now - cached.At < ForecastRefresh)
        {
            return cached.Forecast;
        }

        var forecast = _forecaster.Forecast(AnomalyTracker.Series(_buckets), asOf, _budget);
        _forecast = (forecast, Now, _budget, first);
        return forecast;
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private DateTime CurrentHour => UtcHours.HourStart(Now);
}
