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
    /// <see cref="IBucketDetailStore"/> and, when processes share a database, an <see cref="IClusterNodeStore"/>
    /// (CloudSentinel.Storage's AddIngestStorage registers all of them and calls this).
    /// </summary>
    public static IServiceCollection AddIngest(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = configuration.GetSection(IngestLimits.Section).Get<IngestLimits>() ?? new IngestLimits();
        limits.Validate();
        var routing = (configuration.GetSection(ClusterRoutingOptions.Section).Get<ClusterRoutingOptions>() ?? new ClusterRoutingOptions()).Validate();
        services.AddSingleton(Options.Create(limits));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ClusterNodeMap(sp.GetService<IClusterNodeStore>(), sp.GetRequiredService<TimeProvider>(), routing.NodeMapRefresh));
        services.AddSingleton(sp => new ClusterCostRouter(routing, sp.GetRequiredService<ClusterNodeMap>()));
        services.TryAddSingleton<IIngestCounter, NoIngestCounter>();
        services.AddSingleton<ServiceCardinality>();
        services.AddSingleton<CostIngestor>();
        services.AddSingleton<UsageIngestor>();
        return services;
    }
}
