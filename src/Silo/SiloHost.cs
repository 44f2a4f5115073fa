using System.Net;
using CloudSentinel.Anomalies;
using CloudSentinel.Grains;
using CloudSentinel.Grains.Costs;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Clusters;
using CloudSentinel.Grains.Persistence;
using CloudSentinel.Ingestion;
using CloudSentinel.Ingestion.Journal;
using CloudSentinel.Sources;
using CloudSentinel.Storage;
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

        var siloOptions = config.GetSection(SiloOptions.Section).Get<SiloOptions>() ?? new SiloOptions();
        siloOptions.Validate();
        var costOptions = config.GetSection(ServiceCostOptions.Section).Get<ServiceCostOptions>() ?? new ServiceCostOptions();
        costOptions.Validate();
        builder.Services.Configure<ServiceCostOptions>(config.GetSection(ServiceCostOptions.Section));
        var allocationOptions = config.GetSection(AllocationOptions.Section).Get<AllocationOptions>() ?? new AllocationOptions();
        allocationOptions.Validate();
        builder.Services.AddSingleton(Options.Create(allocationOptions));
        var anomalyOptions = (config.GetSection("Anomalies").Get<AnomalyOptions>() ?? AnomalyOptions.Default).Validate();
        builder.Services.AddSingleton(Options.Create(anomalyOptions));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new JudgementBudget(costOptions.BackgroundJudgementsPerSecond, sp.GetRequiredService<TimeProvider>()));

        using var startupLogs = LoggerFactory.Create(l => l.AddConsole());
        var log = startupLogs.CreateLogger("CloudSentinel.Silo");
        var connectionString = config.GetConnectionString("Postgres");
        NpgsqlDataSource? dataSource = null;
        PostgresPool? pool = null;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            log.LogWarning("""
                ********************************************************************************
                ConnectionStrings:Postgres is not set: cost buckets are kept IN MEMORY ONLY and
                are lost when the silo stops. Set ConnectionStrings__Postgres for durable storage.
                ********************************************************************************
                """);
            AddInMemoryStores(builder.Services);
        }
        else
        {
            pool = PostgresPool.Bind(config, defaultMaxPoolSize: 12, defaultOrleansPoolSize: 4);
            dataSource = pool.BuildDataSource(connectionString);
            await SchemaMigrator.MigrateAsync(dataSource, log);
            AddPostgresStores(builder.Services, dataSource);
        }

        builder.Services.AddIngest(config, dataSource);
        builder.UseOrleans(silo =>
        {
            if (pool is null)
            {
                var primary = siloOptions.PrimarySiloEndpoint is { } endpoint ? IPEndPoint.Parse(endpoint) : null;
                silo.UseLocalhostClustering(siloOptions.SiloPort, siloOptions.GatewayPort, primary, siloOptions.ServiceId, siloOptions.ClusterId);
                silo.UseInMemoryReminderService();
            }
            else
            {
                // Membership, reminders and grain storage share the database; the queries come from our own migrations.
                var orleansConnection = pool.ForOrleans(connectionString!);
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = siloOptions.ClusterId;
                    o.ServiceId = siloOptions.ServiceId;
                });
                silo.ConfigureEndpoints(siloOptions.ResolveAdvertisedAddress(), siloOptions.SiloPort, siloOptions.GatewayPort, listenOnAnyHostAddress: siloOptions.ListenOnAnyAddress);
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
            }

            silo.AddCostSources(config, pool is null ? null : pool.ForOrleans(connectionString!));
        });

        if (dataSource is not null)
        {
            // Registered after Orleans: it starts once the silo can take grain calls and stops before it.
            builder.Services.AddSingleton(Options.Create((config.GetSection(IngestLogOptions.Section).Get<IngestLogOptions>() ?? new IngestLogOptions()).Validate()));
            builder.Services.AddHostedService<IngestLogPump>();
        }

        return builder.Build();
    }

    private static void AddInMemoryStores(IServiceCollection services)
    {
        services.AddSingleton<IBucketStore, InMemoryBucketStore>();
        services.AddSingleton<IAllocationStore, InMemoryAllocationStore>();
        services.AddSingleton<InMemoryInsightStore>();
        services.AddSingleton<IInsightStore>(sp => sp.GetRequiredService<InMemoryInsightStore>());
        services.AddSingleton<IBudgetStore>(sp => sp.GetRequiredService<InMemoryInsightStore>());
    }

    private static void AddPostgresStores(IServiceCollection services, NpgsqlDataSource dataSource)
    {
        services.AddSingleton(dataSource);
        services.AddSingleton<PostgresBucketStore>();
        services.AddSingleton<IBucketStore>(sp => sp.GetRequiredService<PostgresBucketStore>());
        // Registered before Orleans so that they stop after the grains and flush what they left.
        services.AddHostedService(sp => sp.GetRequiredService<PostgresBucketStore>());
        services.AddSingleton<PostgresAllocationStore>();
        services.AddSingleton<IAllocationStore>(sp => sp.GetRequiredService<PostgresAllocationStore>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresAllocationStore>());
        services.AddSingleton<PostgresInsightStore>();
        services.AddSingleton<IInsightStore>(sp => sp.GetRequiredService<PostgresInsightStore>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresInsightStore>());
        services.AddSingleton<IBudgetStore, PostgresBudgetStore>();
    }
}
