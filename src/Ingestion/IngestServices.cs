using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion.Journal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Serialization;

namespace CloudSentinel.Ingestion;

public static class IngestServices
{
    /// <summary>
    /// The one ingest path, the same in the gateway and in every silo: limits ("Ingest"), cluster
    /// routing ("Allocation"), <see cref="CostIngestor"/>, <see cref="UsageIngestor"/> and the
    /// journal: the PostgreSQL ingest log when an <see cref="NpgsqlDataSource"/> is given, else
    /// direct delivery to the grains (the in-memory mode). With PostgreSQL every process also runs a
    /// <see cref="RollupFolder"/> (one folds at a time, cluster-wide).
    /// </summary>
    public static IServiceCollection AddIngest(this IServiceCollection services, IConfiguration configuration, NpgsqlDataSource? dataSource)
    {
        var limits = configuration.GetSection(IngestLimits.Section).Get<IngestLimits>() ?? new IngestLimits();
        limits.Validate();
        var routing = (configuration.GetSection(ClusterRoutingOptions.Section).Get<ClusterRoutingOptions>() ?? new ClusterRoutingOptions()).Validate();
        services.AddSingleton(Options.Create(limits));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ClusterNodeMap(dataSource, sp.GetRequiredService<TimeProvider>(), routing.NodeMapRefresh));
        services.AddSingleton(sp => new ClusterCostRouter(routing, sp.GetRequiredService<ClusterNodeMap>()));
        services.TryAddSingleton<IIngestCounter, NoIngestCounter>();
        services.AddSingleton<ServiceCardinality>();
        services.AddSingleton<CostIngestor>();
        services.AddSingleton<UsageIngestor>();
        services.AddSingleton(new TenantRoles(dataSource));
        if (dataSource is null)
        {
            services.AddSingleton<IBucketDetailStore, NoBucketDetails>();
            services.AddSingleton<IIngestJournal>(sp => new DirectIngestJournal(sp.GetRequiredService<IGrainFactory>()));
        }
        else
        {
            services.AddSingleton<IBucketDetailStore>(new PostgresBucketDetailStore(dataSource));
            services.AddSingleton<IIngestJournal>(sp => new PostgresIngestJournal(dataSource, sp.GetRequiredService<Serializer>(), sp.GetRequiredService<TenantRoles>()));
            services.AddHostedService(sp => new RollupFolder(dataSource, sp.GetRequiredService<ILogger<RollupFolder>>()));
        }

        return services;
    }
}
