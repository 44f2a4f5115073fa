using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CloudSentinel.Storage.Queries;

public static class StorageQueryServices
{
    /// <summary>
    /// The gateway's reads: on <paramref name="dataSource"/> when there is one; without it the reads only
    /// PostgreSQL can answer throw <see cref="StorageUnavailableException"/> (answered 503), readiness asks
    /// no database, and what has an in-memory form (tokens, rate buckets) is the host's to register.
    /// </summary>
    public static IServiceCollection AddStorageQueries(this IServiceCollection services, NpgsqlDataSource? dataSource)
    {
        if (dataSource is null)
        {
            services.AddSingleton<IConsoleQueries, UnavailableConsoleQueries>();
            services.AddSingleton<IAnomalyQueries, UnavailableAnomalyQueries>();
            services.AddSingleton<IServiceCostReader, UnavailableServiceCostReader>();
            services.AddSingleton<IStorageReadiness, NoStorageReadiness>();
            return services;
        }

        services.AddSingleton<ITokenStore>(new PostgresTokenStore(dataSource));
        services.AddSingleton<IIngestRateBuckets>(new PostgresIngestRateBuckets(dataSource));
        services.AddSingleton<IConsoleQueries>(sp => new PostgresConsoleQueries(dataSource, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IAnomalyQueries>(new PostgresAnomalyQueries(dataSource));
        services.AddSingleton<IServiceCostReader>(new PostgresServiceCostReader(dataSource));
        services.AddSingleton<IStorageReadiness>(new PostgresReadiness(dataSource));
        services.AddSingleton<IIngestLogQueries>(new PostgresIngestLogQueries(dataSource));
        return services;
    }
}
