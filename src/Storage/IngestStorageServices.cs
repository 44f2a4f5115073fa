using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;
using CloudSentinel.Ingestion.Backpressure;
using CloudSentinel.Storage.IngestLog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Serialization;

namespace CloudSentinel.Storage;

public static class IngestStorageServices
{
    /// <summary>
    /// The ingest path (<see cref="IngestServices.AddIngest"/>) on its storage, the same in the gateway
    /// and in every silo: the PostgreSQL ingest log when an <see cref="NpgsqlDataSource"/> is given,
    /// with the shared node map, bucket descriptions and the log reading that backpressure acts on,
    /// else direct delivery to the grains (the in-memory mode). With PostgreSQL every process also runs
    /// a <see cref="RollupFolder"/> (one folds at a time, cluster-wide). Either way each tenant's caps
    /// are its catalog grain's to decide (<see cref="TenantCatalogAdmission"/>).
    /// </summary>
    public static IServiceCollection AddIngestStorage(this IServiceCollection services, IConfiguration configuration, NpgsqlDataSource? dataSource)
    {
        services.AddIngest(configuration);
        services.AddSingleton<ITenantAdmission>(sp => new TenantCatalogAdmission(sp.GetRequiredService<IGrainFactory>()));
        services.AddSingleton(new TenantRoles(dataSource));
        if (dataSource is null)
        {
            services.AddSingleton<IBucketDetailStore, NoBucketDetails>();
            services.AddSingleton<IIngestJournal>(sp => new DirectIngestJournal(sp.GetRequiredService<IGrainFactory>()));
        }
        else
        {
            services.AddSingleton<IClusterNodeStore>(new PostgresClusterNodeStore(dataSource));
            services.AddSingleton<IIngestLogReader>(new PostgresIngestLogReader(dataSource));
            services.AddSingleton<IBucketDetailStore>(new PostgresBucketDetailStore(dataSource));
            services.AddSingleton<IIngestJournal>(sp => new PostgresIngestJournal(dataSource, sp.GetRequiredService<Serializer>(), sp.GetRequiredService<TenantRoles>()));
            services.AddHostedService(sp => new RollupFolder(dataSource, sp.GetRequiredService<ILogger<RollupFolder>>()));
        }

        return services;
    }
}
