using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudSentinel.Storage;

/// <summary>
/// The write-behind loop that every PostgreSQL writer here shares: callers enqueue without waiting;
/// entries are coalesced per key (the newest value wins) and written in batches every
/// <see cref="FlushInterval"/>, or sooner when a batch fills. A failed write puts its entries back
/// under anything enqueued meanwhile and retries with backoff, so nothing is dropped while the
/// process lives; stopping the host flushes what is left. Pending entries live in stripes chosen by
/// <see cref="StripeOf"/> so that many grains enqueueing at once rarely wait on the same lock.
/// </summary>
public abstract class BatchingWriter<TKey, TValue>(ILogger logger) : BackgroundService
    where TKey : notnull
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    private const int Stripes = 16;

    private readonly Stripe[] _stripes = Enumerable.Range(0, Stripes).Select(_ => new Stripe()).ToArray();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _signal = new(0);
    private int _pendingCount;
    private volatile Dictionary<TKey, TValue>[] _inFlight = [];

    private sealed class Stripe
    {
        public readonly object Gate = new();
        public Dictionary<TKey, TValue> Pending = new();
    }

    /// <summary>Which stripe a key lives in: keys that replace each other must share one (e.g. hash of tenant and service).</summary>
    protected abstract int StripeOf(TKey key);

    /// <summary>Pending entries that wake the writer before the interval ends.</summary>
    protected virtual int BatchSize => 20_000;

    public long Written { get; private set; }

    public int PendingCount => Volatile.Read(ref _pendingCount) + _inFlight.Sum(d => d.Count);

    protected void Enqueue(IEnumerable<KeyValuePair<TKey, TValue>> entries)
    {
        Stripe? stripe = null;
        var added = 0;
        try
        {
            foreach (var (key, value) in entries)
            {
                var next = _stripes[(StripeOf(key) & int.MaxValue) % Stripes];
                if (!ReferenceEquals(next, stripe))
                {
                    if (stripe is not null) Monitor.Exit(stripe.Gate);
                    stripe = next;
                    Monitor.Enter(stripe.Gate);
                }

                var before = stripe.Pending.Count;
                stripe.Pending[key] = value;
                added += stripe.Pending.Count - before;
            }
        }
        finally
        {
            if (stripe is not null) Monitor.Exit(stripe.Gate);
        }

        if (Interlocked.Add(ref _pendingCount, added) >= BatchSize && _signal.CurrentCount == 0) _signal.Release();
    }

    /// <summary>Entries not yet written that match <paramref name="filter"/>, oldest first so newer ones win when applied in order.</summary>
    protected List<KeyValuePair<TKey, TValue>> Unwritten(Func<TKey, bool> filter)
    {
        var result = _inFlight.SelectMany(d => d).Where(e => filter(e.Key)).ToList();
        foreach (var stripe in _stripes)
        {
            lock (stripe.Gate) result.AddRange(stripe.Pending.Where(e => filter(e.Key)));
        }

        return result;
    }

    /// <summary>Writes one batch; throwing keeps the batch for a retry.</summary>
    protected abstract Task WriteAsync(KeyValuePair<TKey, TValue>[] batch, CancellationToken cancellationToken);

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await WriteOnceAsync(cancellationToken);
            if (Volatile.Read(ref _pendingCount) == 0) return;
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
            var taken = new List<Dictionary<TKey, TValue>>(Stripes);
            foreach (var stripe in _stripes)
            {
                lock (stripe.Gate)
                {
                    if (stripe.Pending.Count == 0) continue;
                    taken.Add(stripe.Pending);
                    // Published before the stripe lets go, so a reader never finds an entry in neither place.
                    _inFlight = taken.ToArray();
                    Interlocked.Add(ref _pendingCount, -stripe.Pending.Count);
                    stripe.Pending = new Dictionary<TKey, TValue>();
                }
            }

            if (taken.Count == 0) return;
            try
            {
                foreach (var chunk in taken.SelectMany(d => d).Chunk(BatchSize)) await WriteAsync(chunk, cancellationToken);
                Written += taken.Sum(d => d.Count);
            }
            catch
            {
                // Put the batch back under anything enqueued meanwhile: newer values win.
                Enqueue(taken.SelectMany(d => d).Where(e => !IsPending(e.Key)).ToList());
                throw;
            }
            finally
            {
                _inFlight = [];
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private bool IsPending(TKey key)
    {
        var stripe = _stripes[(StripeOf(key) & int.MaxValue) % Stripes];
        lock (stripe.Gate) return stripe.Pending.ContainsKey(key);
    }
}
