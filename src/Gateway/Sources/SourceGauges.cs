using CloudSentinel.Grains.Abstractions;
using Prometheus;

namespace CloudSentinel.Gateway.Sources;

/// <summary>The API sources' health as gauges, {tenant, source}; set from the latest statuses, so a scrape never reaches a grain.</summary>
public sealed class SourceGauges
{
    private readonly Gauge _lastSuccess;
    private readonly Gauge _lastFailure;
    private readonly Gauge _apiCalls;
    private readonly Gauge _up;
    private readonly object _gate = new();
    private HashSet<(string Tenant, string Name)> _present = [];

    public SourceGauges(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        Gauge Create(string name, string help) =>
            factory.CreateGauge(name, help, new GaugeConfiguration { LabelNames = ["tenant", "source"], SuppressInitialValue = true });

        _lastSuccess = Create("cloudsentinel_source_last_success_timestamp_seconds", "Unix time in seconds of the source's last successful poll.");
        _lastFailure = Create("cloudsentinel_source_last_failure_timestamp_seconds", "Unix time in seconds of the source's last failed poll (the error text is at /api/cloudsentinel/sources).");
        _apiCalls = Create("cloudsentinel_source_api_calls_total", "Cloud billing API calls the source has made since it was first configured, retries and failed polls included (AWS bills each).");
        _up = Create("cloudsentinel_source_up", "1 when the source is running and its latest poll succeeded; 0 when it failed or was stopped by refused credentials.");
    }

    public void Apply(IReadOnlyList<SourceStatus> statuses)
    {
        lock (_gate)
        {
            var present = statuses.Select(s => (s.Tenant, s.Name)).ToHashSet();
            foreach (var (tenant, name) in _present.Except(present))
            {
                foreach (var gauge in new[] { _lastSuccess, _lastFailure, _apiCalls, _up }) gauge.RemoveLabelled(tenant, name);
            }

            foreach (var s in statuses)
            {
                Set(_lastSuccess, s, s.LastSuccess);
                Set(_lastFailure, s, s.LastFailure);
                _apiCalls.WithLabels(s.Tenant, s.Name).Set(s.ApiCallsTotal);
                _up.WithLabels(s.Tenant, s.Name).Set(s.Up ? 1 : 0);
            }

            _present = present;
        }
    }

    private static void Set(Gauge gauge, SourceStatus s, DateTime? time)
    {
        if (time is { } t) gauge.WithLabels(s.Tenant, s.Name).Set(new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToUnixTimeMilliseconds() / 1000.0);
        else gauge.RemoveLabelled(s.Tenant, s.Name);
    }
}
