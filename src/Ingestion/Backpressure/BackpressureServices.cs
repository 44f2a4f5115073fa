using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloudSentinel.Ingestion.Backpressure;

public static class BackpressureServices
{
    /// <summary>
    /// Options from "Backpressure", validated, and the shared <see cref="IngestBackpressure"/> over the
    /// registered <see cref="IIngestLogReader"/>; with none (the in-memory mode) it never pushes back.
    /// </summary>
    public static IServiceCollection AddIngestBackpressure(this IServiceCollection services, IConfiguration configuration)
    {
        var options = (configuration.GetSection(BackpressureOptions.Section).Get<BackpressureOptions>() ?? new BackpressureOptions()).Validate();
        services.AddSingleton(sp => new IngestBackpressure(sp.GetService<IIngestLogReader>(), options,
            sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILogger<IngestBackpressure>>()));
        return services;
    }
}
