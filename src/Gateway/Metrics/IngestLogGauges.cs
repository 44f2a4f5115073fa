using CloudSentinel.Storage.Queries;
using Prometheus;

namespace CloudSentinel.Gateway.Metrics;

/// <summary>
/// The ingest log as operators watch it, read from PostgreSQL every few seconds (a scrape never
/// queries the database): messages waiting, the age of the oldest, and dead letters.
/// </summary>
public sealed class IngestLogGauges(IIngestLogQueries log, CollectorRegistry registry, ILogger<IngestLogGauges> logger) : GaugeRefresh(logger)
{
    protected override string What => "Ingest log gauges";

    protected override TimeSpan Interval { get; } = TimeSpan.FromSeconds(5);

    private readonly Gauge _pending = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge(
        "cloudsentinel_ingest_log_pending_messages", "Acknowledged ingest messages in the durable log that no grain has applied yet.");

    private readonly Gauge _oldest = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge(
        "cloudsentinel_ingest_log_oldest_age_seconds", "Age in seconds of the oldest message waiting in the ingest log (0 when empty).");

    private readonly Gauge _dead = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge(
        "cloudsentinel_ingest_dead_letters", "Ingest messages that failed delivery too often and wait in ingest_dead_letters, with their reason, for an operator.");

    public override async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (await log.DepthAsync(cancellationToken) is not { } depth) return;
        _pending.Set(depth.PendingMessages);
        _oldest.Set(depth.OldestAgeSeconds);
        _dead.Set(depth.DeadLetters);
    }
}
