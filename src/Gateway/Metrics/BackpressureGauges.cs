using CloudSentinel.Ingestion.Backpressure;
using Prometheus;

namespace CloudSentinel.Gateway.Metrics;

/// <summary>
/// The apply lag and backlog as every gateway sees them (the same numbers: they come from PostgreSQL),
/// refreshed every <see cref="BackpressureOptions.RefreshInterval"/>, which also keeps the drain rate
/// that Retry-After is drawn from measured when no request arrives. A scrape never queries the database.
/// </summary>
public sealed class BackpressureGauges(IngestBackpressure backpressure, CollectorRegistry registry, ILogger<BackpressureGauges> logger) : GaugeRefresh(logger)
{
    private readonly Gauge _lag = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge(
        "cloudsentinel_ingest_apply_lag_seconds",
        "Seconds the oldest acknowledged ingest message (first delivery) has waited to be applied by a grain; 0 when the log is empty. Ingest answers 503 past Backpressure:MaxApplyLagSeconds.");

    private readonly Gauge _backlog = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge(
        "cloudsentinel_ingest_backlog_messages",
        "Acknowledged ingest messages waiting in ingest_log, read at most a second ago. Ingest answers 503 at Backpressure:MaxBacklogMessages.");

    private readonly Gauge _cap = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge(
        "cloudsentinel_ingest_backlog_cap_messages", "The configured cap on messages waiting in ingest_log (Backpressure:MaxBacklogMessages).");

    private readonly Gauge _bound = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge(
        "cloudsentinel_ingest_apply_lag_bound_seconds", "The configured bound on the apply lag (Backpressure:MaxApplyLagSeconds).");

    private readonly Gauge _drain = Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge(
        "cloudsentinel_ingest_drain_messages_per_second", "Messages leaving ingest_log per second, all silos together, smoothed over about 5 s.");

    private readonly Counter _refusals = Prometheus.Metrics.WithCustomRegistry(registry).CreateCounter(
        "cloudsentinel_ingest_backpressure_refusals_total", "Ingest requests this gateway answered 503 because applying was behind (cause=lag) or the log was at its cap (cause=cap).", "cause");

    public void Refused(string cause) => _refusals.WithLabels(cause).Inc();

    protected override string What => "Backpressure gauges";

    protected override TimeSpan Interval => backpressure.Options.RefreshInterval;

    public override async Task RefreshAsync(CancellationToken cancellationToken)
    {
        _cap.Set(backpressure.Options.MaxBacklogMessages);
        _bound.Set(backpressure.Options.MaxApplyLagSeconds);
        await backpressure.CheckAsync(cancellationToken);
        var (reading, drain, _, _) = backpressure.Current;
        if (reading is null) return;
        _lag.Set(reading.ApplyLagSeconds);
        _backlog.Set(reading.Backlog);
        _drain.Set(drain);
    }
}
