using CloudSentinel.Gateway.Ingest;
using CloudSentinel.Ingestion;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Gateway.Synthetic;

/// <summary>
/// The demo feed: backfills recent history, then keeps re-sending the running hour with its cost so
/// far (absolute buckets make that safe) and closes each hour as the clock passes it.
/// </summary>
public sealed class SyntheticFeed(CostIngestor ingestor, UsageIngestor usage, IOptions<SyntheticOptions> options, TimeProvider clock, ILogger<SyntheticFeed> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var generator = new SyntheticCostGenerator(options.Value);
        var clusters = new SyntheticClusters(options.Value);
        var now = clock.GetUtcNow().UtcDateTime;
        var currentHour = HourlySpread.HourStart(now);
        var firstHour = currentHour.AddDays(-options.Value.BackfillDays);
        var totalHours = (int)(currentHour - firstHour).TotalHours;
        logger.LogInformation("Synthetic feed: {Tenants} tenants, {Services} services each, backfilling {Hours} hours",
            options.Value.Tenants.Length, options.Value.ServicesPerTenant + 1, totalHours);

        for (var hour = firstHour; hour < currentHour && !stoppingToken.IsCancellationRequested; hour = hour.AddHours(1))
        {
            await SendAsync([.. generator.Hour(hour), .. clusters.Costs(hour)], [.. clusters.Usage(hour)], stoppingToken);
            var done = (int)(hour - firstHour).TotalHours + 1;
            if (done % 24 == 0 || done == totalHours) logger.LogInformation("Synthetic backfill {Done}/{Total} hours", done, totalHours);
        }

        var lastHour = currentHour;
        while (!stoppingToken.IsCancellationRequested)
        {
            now = clock.GetUtcNow().UtcDateTime;
            currentHour = HourlySpread.HourStart(now);
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

    private async Task SendAsync(IReadOnlyList<CostRecord> records, IReadOnlyList<UsageRecord> pods, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ingestor.IngestAsync(records, "synthetic", cancellationToken);
                await usage.IngestAsync(pods, cancellationToken);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && attempt < 30)
            {
                logger.LogWarning("Synthetic feed could not publish ({Message}); retrying", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }
}
