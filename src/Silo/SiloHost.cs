using System.Net;
using CloudSentinel.Anomalies;
using CloudSentinel.Grains;
using CloudSentinel.Grains.Abstractions.Persistence;
using CloudSentinel.Grains.Costs;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Clusters;
using CloudSentinel.Grains.Persistence;
using CloudSentinel.Ingestion;
using CloudSentinel.Ingestion.Backpressure;
using CloudSentinel.Sources;
using CloudSentinel.Storage;
using CloudSentinel.Storage.IngestLog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace CloudSentinel.Silo;

/// <summary>
/// Builds the silo host. With PostgreSQL: ADO.NET membership and reminders, the stores, and the
/// ingest log pump, so any number of silos form one cluster. Without: one localhost silo on
/// in-memory storage, for a first look.
/// </summary>
public static class SiloHost
{
    public static async Task<IHost> BuildAsync(string[] args, Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(args);
        configure?.Invoke(builder);
        var config = builder.Configuration;
        // Read now, not through IOptions like every other section: Orleans takes the ports and the
        // cluster identity while the silo is configured, before there is a service provider.
        var siloOptions = config.GetSection(SiloOptions.Section).Get<SiloOptions>() ?? new SiloOptions();
        siloOptions.Validate();
        AddCostModel(builder.Services, config);

        using var startupLogs = LoggerFactory.Create(l => l.AddConsole());
        var log = startupLogs.CreateLogger("CloudSentinel.Silo");
        var connectionString = config.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            log.LogWarning("""
                ********************************************************************************
                ConnectionStrings:Postgres is not set: cost buckets are kept IN MEMORY ONLY and
                are lost when the silo stops. Set ConnectionStrings__Postgres for durable storage.
                ********************************************************************************
                """);
            AddInMemoryStores(builder.Services);
            builder.Services.AddIngestStorage(config, dataSource: null);
            builder.Services.AddIngestBackpressure(config);
            builder.UseOrleans(silo =>
            {
                var primary = siloOptions.PrimarySiloEndpoint is { } endpoint ? IPEndPoint.Parse(endpoint) : null;
                silo.UseLocalhostClustering(siloOptions.SiloPort, siloOptions.GatewayPort, primary, siloOptions.ServiceId, siloOptions.ClusterId);
                silo.UseInMemoryReminderService();
                silo.AddCostSources(config, postgresConnectionString: null);
            });
            return builder.Build();
        }

        var pool = PostgresPool.Bind(config, defaultMaxPoolSize: 12, defaultOrleansPoolSize: 4);
        var dataSource = pool.BuildDataSource(connectionString);
        await SchemaMigrator.MigrateAsync(dataSource, log);
        AddPostgresStores(builder.Services, dataSource);
        builder.Services.AddIngestStorage(config, dataSource);
        builder.Services.AddIngestBackpressure(config);
        builder.UseOrleans(silo => JoinPostgresCluster(silo, siloOptions, pool.ForOrleans(connectionString), config));

        // Registered after Orleans: it starts once the silo can take grain calls and stops before it.
        // Validate also fills in the rounds from the pool size, on the instance every consumer gets.
        builder.Services.AddValidatedOptions<IngestLogOptions>(config, IngestLogOptions.Section, o => o.Validate(pool.MaxPoolSize));
        builder.Services.AddHostedService<IngestLogPump>();
        return builder.Build();
    }

    /// <summary>The options of the grains' plain-code models: windows and judgement, allocation, anomalies.</summary>
    private static void AddCostModel(IServiceCollection services, IConfiguration config)
    {
        services.AddValidatedOptions<ServiceCostOptions>(config, ServiceCostOptions.Section, o => o.Validate());
        services.AddValidatedOptions<AllocationOptions>(config, AllocationOptions.Section, o => o.Validate());
        services.AddValidatedOptions<AnomalyOptions>(config, "Anomalies", o => o.Validate());
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<TenantLimits>(config, TenantLimits.Section, o => o.Validate());
        services.AddSingleton(sp => new JudgementBudget(sp.GetRequiredService<IOptions<ServiceCostOptions>>().Value.BackgroundJudgementsPerSecond,
            sp.GetRequiredService<TimeProvider>()));
    }

    /// <summary>Membership, reminders and grain storage on the same PostgreSQL; the queries come from our own migrations.</summary>
    private static void JoinPostgresCluster(ISiloBuilder silo, SiloOptions options, string orleansConnection, IConfiguration config)
    {
        silo.Configure<ClusterOptions>(options.ApplyTo);
        silo.ConfigureEndpoints(options.ResolveAdvertisedAddress(), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: options.ListenOnAnyAddress);
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = orleansConnection;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = orleansConnection;
        });
        silo.AddCostSources(config, orleansConnection);
    }

    private static void AddInMemoryStores(IServiceCollection services)
    {
        // A host may bring its own bucket store (the grain memory benchmark does).
        services.AddSingleton<InMemoryBucketStore>();
        services.TryAddSingleton<IBucketStore>(sp => sp.GetRequiredService<InMemoryBucketStore>());
        services.AddSingleton<IAllocationStore, InMemoryAllocationStore>();
        services.AddSingleton<InMemoryInsightStore>();
        services.AddSingleton<IInsightStore>(sp => sp.GetRequiredService<InMemoryInsightStore>());
        services.AddSingleton<IBudgetStore>(sp => sp.GetRequiredService<InMemoryInsightStore>());
    }

    private static void AddPostgresStores(IServiceCollection services, NpgsqlDataSource dataSource)
    {
        services.AddSingleton(dataSource);
        services.AddSingleton<IBucketStore, PostgresBucketStore>();
        // Registered before Orleans so that they stop after the grains and flush what they left.
        services.AddSingleton<PostgresAllocationStore>();
        services.AddSingleton<IAllocationStore>(sp => sp.GetRequiredService<PostgresAllocationStore>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresAllocationStore>());
        services.AddSingleton<PostgresInsightStore>();
        services.AddSingleton<IInsightStore>(sp => sp.GetRequiredService<PostgresInsightStore>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresInsightStore>());
        services.AddSingleton<IBudgetStore, PostgresBudgetStore>();
    }
}
