using CloudSentinel.Gateway.Allocation;
using CloudSentinel.Gateway.Ingest;
using CloudSentinel.Gateway.Metrics;
using CloudSentinel.Gateway.Sources;
using CloudSentinel.Gateway.Synthetic;
using CloudSentinel.Ingestion;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Runtime;
using Prometheus;

namespace CloudSentinel.Gateway;

/// <summary>Builds the gateway: Orleans client, ingest API, Prometheus endpoint, health checks, demo feed.</summary>
public static class GatewayApp
{
    public const string MetricsPath = "/api/cloudsentinel/prometheus";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var config = builder.Configuration;

        var limits = config.GetSection(IngestLimits.Section).Get<IngestLimits>() ?? new IngestLimits();
        limits.Validate();
        var synthetic = config.GetSection(SyntheticOptions.Section).Get<SyntheticOptions>() ?? new SyntheticOptions();
        synthetic.Validate();
        var routing = (config.GetSection(ClusterRoutingOptions.Section).Get<ClusterRoutingOptions>() ?? new ClusterRoutingOptions()).Validate();
        var orleans = config.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        var gateways = orleans.ResolveGateways();

        builder.Services.AddSingleton(Options.Create(limits));
        builder.Services.AddSingleton(Options.Create(synthetic));
        var focus = config.GetSection(FocusIngestOptions.Section).Get<FocusIngestOptions>() ?? new FocusIngestOptions();
        focus.Validate();
        builder.Services.AddSingleton(Options.Create(focus));
        builder.Services.AddCostSourceStatus();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(_ => Prometheus.Metrics.NewCustomRegistry());
        builder.Services.AddSingleton<IngestMetrics>();
        builder.Services.AddSingleton<GaugeExporter>();
        builder.Services.AddSingleton<CostIngestor>();
        builder.Services.AddSingleton(new ClusterCostRouter(routing));
        builder.Services.AddSingleton<ClusterInputPublisher>();
        builder.Services.AddSingleton<UsageIngestor>();
        builder.Services.AddSingleton<SharedCostGauge>();
        builder.Services.AddSingleton<SnapshotPoller>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SnapshotPoller>());
        if (synthetic.Enabled) builder.Services.AddHostedService<SyntheticFeed>();

        var connectionString = config.GetConnectionString("Postgres");
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            builder.Services.AddSingleton(new NpgsqlDataSourceBuilder(connectionString).Build());
        }

        builder.Services.AddSingleton<IClientConnectionRetryFilter, RetryUntilStopped>();
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(gateways);
            client.Configure<Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = orleans.ClusterId;
                o.ServiceId = orleans.ServiceId;
            });
            client.AddMemoryStreams(Grains.Abstractions.StreamNames.Provider);
        });

        var app = builder.Build();
        app.MapIngest();
        app.MapFocusIngest();
        app.MapSources();
        app.MapUsageIngest();
        app.MapAllocation();
        app.MapBudgets();
        app.MapAnomalies();
        app.MapGet(MetricsPath, async (HttpContext http, CollectorRegistry registry) =>
        {
            http.Response.ContentType = PrometheusConstants.ExporterContentTypeValue.ToString();
            await registry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted);
        });
        app.MapHealth();
        return app;
    }

    /// <summary>Keeps trying to reach the silos, so the gateway can start before them.</summary>
    private sealed class RetryUntilStopped(ILogger<RetryUntilStopped> logger) : IClientConnectionRetryFilter
    {
        public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
        {
            logger.LogWarning("Cannot reach the Orleans cluster yet ({Message}); retrying in 2 s", exception.Message);
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            return !cancellationToken.IsCancellationRequested;
        }
    }
}
