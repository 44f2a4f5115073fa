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
        services.AddValidatedOptions<IngestLimits>(configuration, IngestLimits.Section, o => o.Validate());
        services.AddValidatedOptions<ClusterRoutingOptions>(configuration, ClusterRoutingOptions.Section, o => o.Validate());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ClusterNodeMap(dataSource, sp.GetRequiredService<TimeProvider>(), Routing(sp).NodeMapRefresh));
        services.AddSingleton(sp => new ClusterCostRouter(Routing(sp), sp.GetRequiredService<ClusterNodeMap>()));
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

    private static ClusterRoutingOptions Routing(IServiceProvider services) => services.GetRequiredService<IOptions<ClusterRoutingOptions>>().Value;
}
