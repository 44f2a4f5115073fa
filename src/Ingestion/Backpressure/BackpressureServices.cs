using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CloudSentinel.Ingestion.Backpressure;

public static class BackpressureServices
{
    /// <summary>Options from "Backpressure", validated, and the shared <see cref="IngestBackpressure"/> over the log in <paramref name="dataSource"/>.</summary>
    public static IServiceCollection AddIngestBackpressure(this IServiceCollection services, IConfiguration configuration, NpgsqlDataSource? dataSource)
    {
        var options = (configuration.GetSection(BackpressureOptions.Section).Get<BackpressureOptions>() ?? new BackpressureOptions()).Validate();
        services.AddSingleton(sp => new IngestBackpressure(dataSource, options,
            sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILogger<IngestBackpressure>>()));
        return services;
    }
}
