using CloudSentinel.Gateway.Allocation;
using CloudSentinel.Gateway.Auth;
using CloudSentinel.Gateway.Console;
using CloudSentinel.Gateway.Export;
using CloudSentinel.Gateway.Ingest;
using CloudSentinel.Gateway.Metrics;
using CloudSentinel.Gateway.Sources;
using CloudSentinel.Gateway.Synthetic;
using CloudSentinel.Ingestion;
using CloudSentinel.Ingestion.Backpressure;
using CloudSentinel.Storage;
using CloudSentinel.Storage.Queries;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Runtime;
using Prometheus;

namespace CloudSentinel.Gateway;

/// <summary>
/// Builds the gateway: Orleans client (PostgreSQL membership, or a static silo list in the in-memory
/// mode), the ingest API on the durable ingest journal, Prometheus endpoint, health checks, demo feed.
/// </summary>
public static class GatewayApp
{
    public const string MetricsPath = "/api/cloudsentinel/prometheus";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var config = builder.Configuration;

        // Read now, not through IOptions like every other section: the Orleans client takes the
        // cluster identity and the silos' addresses while it is configured.
        var orleans = config.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();

        builder.Services.AddValidatedOptions<AuthOptions>(config, AuthOptions.Section, o => o.Validate());
        builder.Services.AddMemoryCache();
        // Unhandled exceptions and bodiless 4xx/5xx (an unknown path, a bare 405) answer RFC 9457 problems like our own refusals.
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<TokenAuthentication>();
        builder.Services.AddValidatedOptions<SyntheticOptions>(config, SyntheticOptions.Section, o => o.Validate());
        builder.Services.AddValidatedOptions<FocusIngestOptions>(config, FocusIngestOptions.Section, o => o.Validate());
        builder.Services.AddOptions<FocusExportOptions>().Bind(config.GetSection(FocusExportOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddCostSourceStatus();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(_ => Prometheus.Metrics.NewCustomRegistry());
        builder.Services.AddSingleton(sp => new TenantRegistries(sp.GetRequiredService<CollectorRegistry>()));
        builder.Services.AddSingleton<IngestMetrics>();
        builder.Services.AddSingleton<IIngestCounter>(sp => sp.GetRequiredService<IngestMetrics>());
        var maxSeries = config.GetValue("Limits:MaxSeriesPerTenant", GaugeExporter.DefaultMaxSeriesPerTenant);
        if (maxSeries < 1) throw new ArgumentException("Limits:MaxSeriesPerTenant must be at least 1");
        builder.Services.AddValidatedOptions<AlertOptions>(config, AlertOptions.Section, o => o.Validate());
        builder.Services.AddSingleton(sp => new GaugeExporter(sp.GetRequiredService<TenantRegistries>(), maxSeries,
            tenant => sp.GetRequiredService<IngestMetrics>().Overflowed(tenant, "series", 1), sp.GetRequiredService<IOptions<AlertOptions>>().Value));
        builder.Services.AddSingleton<SharedCostGauge>();
        builder.Services.AddSingleton<SnapshotPoller>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SnapshotPoller>());
        // Read here as well as bound: whether the feed runs at all is decided while the services are registered.
        if (config.GetValue<bool>($"{SyntheticOptions.Section}:{nameof(SyntheticOptions.Enabled)}")) builder.Services.AddHostedService<SyntheticFeed>();

        var connectionString = config.GetConnectionString("Postgres");
        NpgsqlDataSource? dataSource = null;
        PostgresPool? pool = null;
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            pool = PostgresPool.Bind(config, defaultMaxPoolSize: 6, defaultOrleansPoolSize: 2);
            dataSource = pool.BuildDataSource(connectionString);
            builder.Services.AddSingleton(dataSource);
            builder.Services.AddSingleton<IngestLogGauges>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<IngestLogGauges>());
        }

        else
        {
            builder.Services.AddSingleton<ITokenStore, InMemoryTokenStore>();
        }

        // What only PostgreSQL holds is refused with 503 without it (StorageUnavailableAnswers).
        builder.Services.AddStorageQueries(dataSource);

        IngestRateLimits.AddIngestRateLimits(builder.Services, config, shared: dataSource is not null);
        builder.Services.AddIngestStorage(config, dataSource);
        builder.Services.AddIngestBackpressure(config);
        if (dataSource is not null)
        {
            builder.Services.AddSingleton<BackpressureGauges>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<BackpressureGauges>());
        }

        builder.Services.AddConsole(config);
        builder.Services.AddSingleton<IClientConnectionRetryFilter, RetryUntilStopped>();
        builder.UseOrleansClient(client =>
        {
            if (pool is null)
            {
                client.UseStaticClustering(orleans.ResolveGateways());
            }
            else
            {
                // Silos publish their gateway endpoints in PostgreSQL membership: any number of silos, found by themselves.
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = pool.ForOrleans(connectionString!);
                });
            }

            client.Configure<Orleans.Configuration.ClusterOptions>(orleans.ApplyTo);
        });

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (app.Services.GetRequiredService<ConsoleSessions>().Options.Enabled) app.UseConsoleHeaders();
        var authentication = app.Services.GetRequiredService<TokenAuthentication>();
        app.UseOutageAnswers();
        app.Use(authentication.InvokeAsync);
        app.UseRateLimiter();
        app.UseIngestUnavailable();
        app.UseStorageUnavailableAnswers();
        app.MapTokens();
        app.MapIngest();
        app.MapFocusIngest();
        app.MapFocusExport();
        app.MapSources();
        app.MapUsageIngest();
        app.MapIngestStatus();
        app.MapAllocation();
        app.MapBudgets();
        app.MapAnomalies();
        app.MapMetrics();
        app.MapHealth();
        app.MapConsole();
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
