using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Gateway.Sources;

/// <summary>Refreshes the source gauges from the pollers every few seconds; sources are few, so one catalog call covers them all.</summary>
public sealed class SourceStatusPoller(IClusterClient client, SourceGauges gauges, ILogger<SourceStatusPoller> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Reading source statuses failed ({Message}); the source gauges keep their last values", ex.Message);
            }

            try
            {
                await Task.Delay(Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public async Task<SourceStatus[]> PollOnceAsync()
    {
        var statuses = await client.GetGrain<ISourceCatalogGrain>(0).GetStatuses();
        gauges.Apply(statuses);
        return statuses;
    }
}
