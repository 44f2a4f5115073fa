namespace CloudSentinel.Gateway.Metrics;

/// <summary>
/// Gauges read from PostgreSQL in the background, so that a scrape never queries the database: one
/// refresh every <see cref="Interval"/>. While the tables are not there yet (the silo creates them) or
/// PostgreSQL is down, a refresh fails quietly and the gauges keep their last values.
/// </summary>
public abstract class GaugeRefresh(ILogger logger) : BackgroundService
{
    /// <summary>What the refresh is of, for the log line when it fails.</summary>
    protected abstract string What { get; }

    protected abstract TimeSpan Interval { get; }

    public abstract Task RefreshAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken);
                await Task.Delay(Interval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogDebug("{What} not refreshed: {Message}", What, ex.Message);
                await Task.Delay(Interval, CancellationToken.None);
            }
        }
    }
}
