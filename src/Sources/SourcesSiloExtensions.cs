using CloudSentinel.Grains.Abstractions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace CloudSentinel.Sources;

public static class SourceStorage
{
    /// <summary>The grain storage that holds poller checkpoints and status.</summary>
    public const string Name = "sources";
}

public static class SourcesSiloExtensions
{
    /// <summary>
    /// Adds the API source pollers: the configured list, their grain storage (ADO.NET on PostgreSQL,
    /// else memory), and a startup task that starts every configured poller. The host chooses the
    /// reminder service (ADO.NET on PostgreSQL, so a poller's reminder survives its silo).
    /// </summary>
    public static ISiloBuilder AddCostSources(this ISiloBuilder silo, IConfiguration configuration, string? postgresConnectionString)
    {
        var options = SourcesOptions.Bind(configuration);
        silo.Services.AddSingleton(options);
        silo.Services.TryAddSingleton<ISourceCredentials, StandardSourceCredentials>();
        silo.Services.AddSingleton<SourceConnectorFactory>();
        if (string.IsNullOrWhiteSpace(postgresConnectionString))
        {
            silo.AddMemoryGrainStorage(SourceStorage.Name);
        }
        else
        {
            // Tables and queries come from our own migration (Storage/Migrations); Orleans ships no PostgreSQL script in its packages.
            silo.AddAdoNetGrainStorage(SourceStorage.Name, o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = postgresConnectionString;
            });
        }

        silo.AddStartupTask(async (services, cancellationToken) =>
        {
            var grains = services.GetRequiredService<IGrainFactory>();
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("CloudSentinel.Sources");
            foreach (var source in options.Sources)
            {
                try
                {
                    await grains.GetGrain<ICostSourcePollerGrain>(source.Key).Start();
                    logger.LogInformation("Source {Source} ({Kind}) polls every {Interval}, re-reading the last {Window}", source.Key, source.Kind, source.PollInterval, source.Window);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    // One source that cannot start must not keep the silo, or the other sources, down.
                    logger.LogError(ex, "Source {Source} could not be started", source.Key);
                }
            }
        });
        return silo;
    }
}
