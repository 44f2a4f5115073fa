using CloudSentinel.Core;
using CloudSentinel.Gateway.Ingest;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;
using CloudSentinel.Ingestion.Backpressure;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace CloudSentinel.Gateway.Synthetic;

/// <summary>
/// The demo feed: backfills recent history, then keeps re-sending the running hour with its cost so
/// far (absolute buckets make that safe) and closes each hour as the clock passes it.
/// </summary>
public sealed class SyntheticFeed(
    CostIngestor ingestor, UsageIngestor usage, IngestBackpressure backpressure, IClusterClient cluster, IOptions<SyntheticOptions> options, TimeProvider clock, ILogger<SyntheticFeed> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WaitForClusterAsync(stoppingToken);
        var generator = new SyntheticCostGenerator(options.Value);
        var clusters = new SyntheticClusters(options.Value);
        var now = clock.GetUtcNow().UtcDateTime;
        var currentHour = UtcHours.HourStart(now);
        var firstHour = currentHour.AddDays(-options.Value.BackfillDays);
        var totalHours = (int)(currentHour - firstHour).TotalHours;
        logger.LogInformation("Synthetic feed: {Tenants} tenants, {Services} services each, backfilling {Hours} hours",
            options.Value.Tenants.Length, options.Value.ServicesPerTenant + 1, totalHours);

        var lastDay = new Dictionary<(string Tenant, string Service), decimal>();
        for (var hour = firstHour; hour < currentHour && !stoppingToken.IsCancellationRequested; hour = hour.AddHours(1))
        {
            var records = generator.Hour(hour).ToList();
            if (hour >= currentHour.AddDays(-1))
            {
                foreach (var record in records) lastDay[(record.Tenant, record.ServiceName)] = lastDay.GetValueOrDefault((record.Tenant, record.ServiceName)) + record.CostUsd;
            }

            await SendAsync([.. records, .. clusters.Costs(hour)], [.. clusters.Usage(hour)], stoppingToken);
            var done = (int)(hour - firstHour).TotalHours + 1;
            if (done % 24 == 0 || done == totalHours) logger.LogInformation("Synthetic backfill {Done}/{Total} hours", done, totalHours);
        }

        await SetDemoBudgetsAsync(lastDay);

        var lastHour = currentHour;
        while (!stoppingToken.IsCancellationRequested)
        {
            now = clock.GetUtcNow().UtcDateTime;
            currentHour = UtcHours.HourStart(now);
            if (currentHour > lastHour)
            {
                // The hour that just ended gets its full amount.
                await SendAsync([.. generator.Hour(lastHour), .. clusters.Costs(lastHour)], [.. clusters.Usage(lastHour)], stoppingToken);
                lastHour = currentHour;
            }

            var elapsed = (decimal)(now - currentHour).TotalHours;
            var soFar = Math.Max(elapsed, 0.001m);
            await SendAsync([.. generator.Hour(currentHour, soFar), .. clusters.Costs(currentHour, soFar)], [.. clusters.Usage(currentHour, soFar)], stoppingToken);
            try
            {
                await Task.Delay(options.Value.Interval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>The gateway may start before the silo; the feed starts once the cluster answers.</summary>
    private async Task WaitForClusterAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                if ((await cluster.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count > 0) return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                if (attempt % 10 == 1) logger.LogInformation("Synthetic feed: waiting for the Orleans cluster ({Message})", ex.Message);
            }

            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
        }
    }

    /// <summary>
    /// Gives every fourth service, and each tenant in total, a monthly budget from its last day's cost,
    /// some of them tight enough to cross the 90% alert, so the budget panels and alerts have data.
    /// A tenant that already has budgets keeps them.
    /// </summary>
    private async Task SetDemoBudgetsAsync(Dictionary<(string Tenant, string Service), decimal> lastDay)
    {
        var daysInMonth = DateTime.DaysInMonth(clock.GetUtcNow().Year, clock.GetUtcNow().Month);
        foreach (var tenant in lastDay.Keys.Select(k => k.Tenant).Distinct())
        {
            var budgets = cluster.GetGrain<ITenantBudgetGrain>(tenant);
            if ((await budgets.GetAll()).Count > 0) continue;
            var services = lastDay.Where(e => e.Key.Tenant == tenant).OrderBy(e => e.Key.Service, StringComparer.Ordinal).ToList();
            for (var i = 0; i < services.Count; i += 4)
            {
                var factor = i % 16 == 0 ? 0.5m : 1.5m;
                await budgets.Set(services[i].Key.Service, Math.Max(1m, Math.Round(services[i].Value * daysInMonth * factor, 0)));
            }

            await budgets.Set(Budgets.TenantTotal, Math.Round(services.Sum(s => s.Value) * daysInMonth * 1.2m, 0));
            logger.LogInformation("Synthetic feed: set demo budgets for {Tenant}", tenant);
        }
    }

    private async Task SendAsync(IReadOnlyList<CostRecord> records, IReadOnlyList<UsageRecord> pods, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            // The demo feed is a client like any other: while applying is behind it waits as long as it is told to.
            while (await backpressure.CheckAsync(cancellationToken) is { Refuse: true } busy)
            {
                logger.LogInformation("Synthetic feed waits {Seconds} s: {Reason}", busy.RetryAfter.TotalSeconds, busy.Reason);
                await Task.Delay(busy.RetryAfter, cancellationToken);
            }

            try
            {
                await ingestor.IngestAsync(records, "synthetic", cancellationToken);
                await usage.IngestAsync(pods, cancellationToken);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && attempt < 30)
            {
                logger.LogWarning("Synthetic feed could not publish ({Message}); retrying", ex.Message);
                await Task.Delay(ex is IngestUnavailableException ? IngestUnavailableException.RetryAfter : TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }
}
