using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CloudSentinel.Storage;

/// <summary>
/// Folds the rollup deltas that service_costs' triggers append into the tenant-hourly and
/// service-daily rollups about once a second (V016). Every gateway and silo runs one; the SQL
/// function takes an advisory lock, so one folds at a time cluster-wide and the others skip that
/// tick. Readers never wait for it: the rollup views add whatever is pending, so dashboards are
/// exact at any moment; folding only keeps the pending part small.
/// </summary>
public sealed class RollupFolder(NpgsqlDataSource dataSource, ILogger<RollupFolder> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Folds what is committed now; returns the delta rows folded, or -1 when another process holds the fold.</summary>
    public async Task<long> FoldAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT service_costs_fold_rollups()");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await FoldAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                {
                    logger.LogWarning("Rollup folder: folding failed ({Message}); the views stay exact, retrying in {Interval}", ex.Message, Interval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
