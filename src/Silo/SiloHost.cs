using System.Net;
using CloudSentinel.Anomalies;
using CloudSentinel.Grains;
using CloudSentinel.Grains.Costs;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Clusters;
using CloudSentinel.Grains.Persistence;
using CloudSentinel.Sources;
using CloudSentinel.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CloudSentinel.Silo;

/// <summary>Builds the silo host: Orleans, the cost stream, and PostgreSQL or in-memory bucket storage.</summary>
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
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            log.LogWarning("""
                ********************************************************************************
                ConnectionStrings:Postgres is not set: cost buckets are kept IN MEMORY ONLY and
                are lost when the silo stops. Set ConnectionStrings__Postgres for durable storage.
                ********************************************************************************
                """);
            builder.Services.AddSingleton<IBucketStore, InMemoryBucketStore>();
            builder.Services.AddSingleton<IAllocationStore, InMemoryAllocationStore>();
            builder.Services.AddSingleton<InMemoryInsightStore>();
            builder.Services.AddSingleton<IInsightStore>(sp => sp.GetRequiredService<InMemoryInsightStore>());
            builder.Services.AddSingleton<IBudgetStore>(sp => sp.GetRequiredService<InMemoryInsightStore>());
        }
        else
        {
            var dataSource = new NpgsqlDataSourceBuilder(connectionString).Build();
            await SchemaMigrator.MigrateAsync(dataSource, log);
            builder.Services.AddSingleton(dataSource);
            builder.Services.AddSingleton<PostgresBucketStore>();
            builder.Services.AddSingleton<IBucketStore>(sp => sp.GetRequiredService<PostgresBucketStore>());
            // Registered before Orleans so that it stops after the grains and flushes what they left.
            builder.Services.AddHostedService(sp => sp.GetRequiredService<PostgresBucketStore>());
            builder.Services.AddSingleton<PostgresAllocationStore>();
            builder.Services.AddSingleton<IAllocationStore>(sp => sp.GetRequiredService<PostgresAllocationStore>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<PostgresAllocationStore>());
            builder.Services.AddSingleton<PostgresInsightStore>();
            builder.Services.AddSingleton<IInsightStore>(sp => sp.GetRequiredService<PostgresInsightStore>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<PostgresInsightStore>());
            builder.Services.AddSingleton<IBudgetStore, PostgresBudgetStore>();
        }

        builder.UseOrleans(silo =>
        {
            var primary = siloOptions.PrimarySiloEndpoint is { } endpoint ? IPEndPoint.Parse(endpoint) : null;
            silo.UseLocalhostClustering(siloOptions.SiloPort, siloOptions.GatewayPort, primary, siloOptions.ServiceId, siloOptions.ClusterId);
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.AddMemoryStreams(StreamNames.Provider, b => b.ConfigurePartitioning(siloOptions.StreamQueues));
            silo.AddCostSources(config, connectionString);
        });

        return builder.Build();
    }
}
