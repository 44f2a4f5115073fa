using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Ingestion.Backpressure;

public static class BackpressureServices
{
    /// <summary>
    /// Options from "Backpressure", validated, and the shared <see cref="IngestBackpressure"/> over the
    /// registered <see cref="IIngestLogReader"/>; with none (the in-memory mode) it never pushes back.
    /// </summary>
    public static IServiceCollection AddIngestBackpressure(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<BackpressureOptions>(configuration, BackpressureOptions.Section, o => o.Validate());
        services.AddSingleton(sp => new IngestBackpressure(sp.GetService<IIngestLogReader>(), sp.GetRequiredService<IOptions<BackpressureOptions>>().Value,
            sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILogger<IngestBackpressure>>()));
        return services;
    }
}
