using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudSentinel.Storage;

/// <summary>
/// The write-behind loop that every PostgreSQL writer here shares: callers enqueue without waiting;
/// entries are coalesced per key (the newest value wins) and written in batches every
/// <see cref="FlushInterval"/>, or sooner when a batch fills. A failed write puts its entries back
/// under anything enqueued meanwhile and retries with backoff, so nothing is dropped while the
/// process lives; stopping the host flushes what is left.
/// </summary>
public abstract class BatchingWriter<TKey, TValue>(ILogger logger) : BackgroundService
    where TKey : notnull
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    private readonly object _gate = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _signal = new(0);
    private Dictionary<TKey, TValue> _pending = new();
    private Dictionary<TKey, TValue> _inFlight = new();

    /// <summary>Pending entries that wake the writer before the interval ends.</summary>
    protected virtual int BatchSize => 20_000;

    public long Written { get; private set; }

    public int PendingCount
    {
        get { lock (_gate) return _pending.Count + _inFlight.Count; }
    }

    protected void Enqueue(IEnumerable<KeyValuePair<TKey, TValue>> entries)
    {
        lock (_gate)
        {
            foreach (var (key, value) in entries) _pending[key] = value;
            if (_pending.Count >= BatchSize && _signal.CurrentCount == 0) _signal.Release();
        }
    }

    /// <summary>Entries not yet written that match <paramref name="filter"/>, oldest first so newer ones win when applied in order.</summary>
    protected List<KeyValuePair<TKey, TValue>> Unwritten(Func<TKey, bool> filter)
    {
        lock (_gate)
        {
            return _inFlight.Concat(_pending).Where(e => filter(e.Key)).ToList();
        }
    }

    /// <summary>Writes one batch; throwing keeps the batch for a retry.</summary>
    protected abstract Task WriteAsync(KeyValuePair<TKey, TValue>[] batch, CancellationToken cancellationToken);

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await WriteOnceAsync(cancellationToken);
            lock (_gate)
            {
                if (_pending.Count == 0) return;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(backoff > TimeSpan.Zero ? backoff : FlushInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            try
            {
                await WriteOnceAsync(stoppingToken);
                backoff = TimeSpan.Zero;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                logger.LogError(ex, "{Writer}: writing {Pending} entries to PostgreSQL failed; retrying in {Backoff}", GetType().Name, PendingCount, backoff);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "{Writer}: the final flush at shutdown failed; {Pending} entries were not written", GetType().Name, PendingCount);
        }
    }

    private async Task WriteOnceAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            lock (_gate)
            {
                if (_pending.Count == 0) return;
                (_inFlight, _pending) = (_pending, new Dictionary<TKey, TValue>());
            }

            try
            {
                foreach (var chunk in _inFlight.Chunk(BatchSize)) await WriteAsync(chunk, cancellationToken);
                Written += _inFlight.Count;
            }
            catch
            {
                lock (_gate)
                {
                    foreach (var (key, value) in _inFlight) _pending.TryAdd(key, value);
                }

                throw;
            }
            finally
            {
                lock (_gate) _inFlight = new Dictionary<TKey, TValue>();
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
