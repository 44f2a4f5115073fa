using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CloudSentinel.Ingestion.Backpressure;

public static class BackpressureServices
{
    /// <summary>Options from "Backpressure", validated, and the shared <see cref="IngestBackpressure"/> over the log in <paramref name="dataSource"/>.</summary>
    public static IServiceCollection AddIngestBackpressure(this IServiceCollection services, IConfiguration configuration, NpgsqlDataSource? dataSource)
    {
        services.AddValidatedOptions<BackpressureOptions>(configuration, BackpressureOptions.Section, o => o.Validate());
        services.AddSingleton(sp => new IngestBackpressure(dataSource, sp.GetRequiredService<IOptions<BackpressureOptions>>().Value,
            sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILogger<IngestBackpressure>>()));
        return services;
    }
}
