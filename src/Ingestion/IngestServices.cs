using CloudSentinel.Grains.Abstractions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Ingestion;

public static class IngestServices
{
    /// <summary>
    /// The one ingest path, the same in the gateway and in every silo: limits ("Ingest"), cluster
    /// routing ("Allocation"), <see cref="CostIngestor"/> and <see cref="UsageIngestor"/>. Where the
    /// accepted messages go is the storage's to register: an <see cref="IIngestJournal"/>, an
    /// <see cref="IBucketDetailStore"/> and, when processes share a database, an <see cref="IClusterNodeStore"/>;
    /// and who admits a tenant's names under its caps, an <see cref="ITenantAdmission"/>
    /// (CloudSentinel.Storage's AddIngestStorage registers all of them and calls this).
    /// </summary>
    public static IServiceCollection AddIngest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<IngestLimits>(configuration, IngestLimits.Section, o => o.Validate());
        services.AddValidatedOptions<ClusterRoutingOptions>(configuration, ClusterRoutingOptions.Section, o => o.Validate());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ClusterNodeMap(sp.GetService<IClusterNodeStore>(), sp.GetRequiredService<TimeProvider>(), Routing(sp).NodeMapRefresh));
        services.AddSingleton(sp => new ClusterCostRouter(Routing(sp), sp.GetRequiredService<ClusterNodeMap>()));
        services.TryAddSingleton<IIngestCounter, NoIngestCounter>();
        services.AddSingleton<ServiceCardinality>();
        services.AddSingleton<CostIngestor>();
        services.AddSingleton<UsageIngestor>();
        return services;
    }

    private static ClusterRoutingOptions Routing(IServiceProvider services) => services.GetRequiredService<IOptions<ClusterRoutingOptions>>().Value;
}
