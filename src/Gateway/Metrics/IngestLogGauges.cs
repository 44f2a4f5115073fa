using CloudSentinel.Storage.Queries;
using Prometheus;

namespace CloudSentinel.Gateway.Metrics;

/// <summary>
/// The ingest log as operators watch it, read from PostgreSQL every few seconds (a scrape never
/// queries the database): messages waiting, the age of the oldest, and dead letters.
/// </summary>
public sealed class IngestLogGauges(IIngestLogQueries log, CollectorRegistry registry, ILogger<IngestLogGauges> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly Gauge _pending = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge(
        "cloudsentinel_ingest_log_pending_messages", "Acknowledged ingest messages in the durable log that no grain has applied yet.");

    private readonly Gauge _oldest = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge(
        "cloudsentinel_ingest_log_oldest_age_seconds", "Age in seconds of the oldest message waiting in the ingest log (0 when empty).");

    private readonly Gauge _dead = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge(
        "cloudsentinel_ingest_dead_letters", "Ingest messages that failed delivery too often and wait in ingest_dead_letters, with their reason, for an operator.");

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (await log.DepthAsync(cancellationToken) is not { } depth) return;
        _pending.Set(depth.PendingMessages);
        _oldest.Set(depth.OldestAgeSeconds);
        _dead.Set(depth.DeadLetters);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken);
                await Task.Delay(Interval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The silo creates the tables; until it has, or while PostgreSQL is down, the gauges keep their last values.
                logger.LogDebug("Ingest log gauges not refreshed: {Message}", ex.Message);
                await Task.Delay(Interval, CancellationToken.None);
            }
        }
    }
}
