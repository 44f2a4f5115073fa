using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace CloudSentinel.Ingestion.Backpressure;

/// <summary>
/// Reads ingest_log at most every <see cref="BackpressureOptions.RefreshInterval"/> and answers whether
/// ingest should take a request. Every gateway and silo reads the same table, so the bound holds for
/// the cluster, not per process. Without PostgreSQL (the in-memory mode) ingest is applied in the
/// request and there is nothing to wait for. When the log cannot be read, nothing is refused here:
/// the journal then answers the outage itself (503).
/// </summary>
public sealed class IngestBackpressure(IIngestLogReader? log, BackpressureOptions options, TimeProvider clock, ILogger<IngestBackpressure> logger)
{
    /// <summary>A reading older than this many refresh intervals is not acted on.</summary>
    private const int StaleAfterIntervals = 10;

    private readonly BackpressurePolicy _policy = new(options);
    private readonly SemaphoreSlim _reader = new(1, 1);
    private readonly Lock _gate = new();
    private DateTime _triedAt = DateTime.MinValue;
    private DateTime _readAt = DateTime.MinValue;
    private bool _refusing;

    public BackpressureOptions Options => options;

    /// <summary>The last reading and the rates drawn from it, for gauges and the console.</summary>
    public (IngestLogReading? Reading, double DrainPerSecond, double ArrivalPerSecond, IngestPressure Pressure) Current
    {
        get
        {
            lock (_gate) return (_policy.Last, _policy.DrainPerSecond, _policy.ArrivalPerSecond, DecideLocked());
        }
    }

    public async ValueTask<IngestPressure> CheckAsync(CancellationToken cancellationToken)
    {
        if (log is null || !options.Enabled) return IngestPressure.None;
        if (clock.GetUtcNow().UtcDateTime - _triedAt >= options.RefreshInterval && await _reader.WaitAsync(0, CancellationToken.None))
        {
            // One reader per process; everyone else uses the reading in hand, so a burst of requests costs one query.
            try
            {
                if (clock.GetUtcNow().UtcDateTime - _triedAt >= options.RefreshInterval) await RefreshAsync(cancellationToken);
            }
            finally
            {
                _reader.Release();
            }
        }

        lock (_gate)
        {
            var pressure = DecideLocked();
            if (pressure.Refuse != _refusing)
            {
                _refusing = pressure.Refuse;
                if (pressure.Refuse) logger.LogWarning("Ingest pushes back (503, Retry-After {Seconds} s): {Reason}", pressure.RetryAfter.TotalSeconds, pressure.Reason);
                else logger.LogInformation("Ingest takes requests again: the silos are within the bounds");
            }

            return pressure;
        }
    }

    private IngestPressure DecideLocked() =>
        clock.GetUtcNow().UtcDateTime - _readAt > options.RefreshInterval * StaleAfterIntervals ? IngestPressure.None : _policy.Decide();

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        _triedAt = clock.GetUtcNow().UtcDateTime;
        try
        {
            var reading = await log!.ReadAsync(cancellationToken);
            lock (_gate)
            {
                _policy.Observe(reading);
                _readAt = clock.GetUtcNow().UtcDateTime;
            }
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or InvalidOperationException)
        {
            // PostgreSQL down, or the silo has not created the log yet.
            logger.LogDebug("Ingest log not read for backpressure: {Message}", ex.Message);
        }
    }
}
