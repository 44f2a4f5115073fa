using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CloudSentinel.Storage;

/// <summary>
/// The write loop that every PostgreSQL writer here shares. Entries are coalesced per key (the
/// newest value wins) and written in batches every <see cref="FlushInterval"/>, or sooner when a
/// batch fills or a caller waits: <see cref="EnqueueAndWaitAsync"/> completes once a committed write
/// holds the entries (or newer values for their keys), which is how an ingest message is
/// acknowledged only after its effect is durable; many waiting grains share one commit.
/// A failed write puts its entries back under anything enqueued meanwhile and retries with backoff.
/// A write that the database refuses for its data (SQLSTATE class 22 or 23, e.g. a NUL byte in
/// text) is split by <see cref="GroupOf"/> and retried group by group: the refused group is dropped
/// and its waiters fail with the reason, every other group is written, so one poison row never
/// blocks other keys or tenants. Pending entries live in stripes chosen by <see cref="StripeOf"/>
/// so that many grains enqueueing at once rarely wait on the same lock.
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
    private readonly object _waitersGate = new();
    private List<Waiter> _waiters = [];

    private sealed record Waiter(string Group, TaskCompletionSource Done);

    private sealed class Stripe
    {
        public readonly object Gate = new();
        public Dictionary<TKey, TValue> Pending = new();
    }

    /// <summary>Which stripe a key lives in: keys that replace each other must share one (e.g. hash of tenant and service).</summary>
    protected abstract int StripeOf(TKey key);

    /// <summary>The unit of poison isolation: entries of one group are written or refused together (e.g. "tenant/service").</summary>
    protected abstract string GroupOf(TKey key);

    /// <summary>Pending entries that wake the writer before the interval ends.</summary>
    protected virtual int BatchSize => 20_000;

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

    /// <summary>
    /// Enqueues entries of one group and completes when they are committed; faults with
    /// <see cref="RefusedWriteException"/> when the database refuses the group's data.
    /// </summary>
    protected Task EnqueueAndWaitAsync(IReadOnlyCollection<KeyValuePair<TKey, TValue>> entries, string group)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (entries.Count > 0) Enqueue(entries);
        // Registered after the entries: a write that takes this waiter has already taken them (or a newer value).
        lock (_waitersGate) _waiters.Add(new Waiter(group, done));
        if (_signal.CurrentCount == 0) _signal.Release();
        return done.Task;
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
            List<Waiter> waiters;
            lock (_waitersGate)
            {
                waiters = _waiters;
                _waiters = [];
            }

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

            try
            {
                if (taken.Count > 0) await WriteTakenAsync(taken.SelectMany(d => d).ToList(), waiters, cancellationToken);
                foreach (var waiter in waiters) waiter.Done.TrySetResult();
            }
            catch
            {
                // Put the batch back under anything enqueued meanwhile: newer values win. Waiters wait for the retry.
                Enqueue(taken.SelectMany(d => d).Where(e => !IsPending(e.Key)).ToList());
                lock (_waitersGate) _waiters.InsertRange(0, waiters);
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

    /// <summary>Writes the batch; if the database refuses its data, isolates the refused groups and writes the rest.</summary>
    private async Task WriteTakenAsync(List<KeyValuePair<TKey, TValue>> entries, List<Waiter> waiters, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var chunk in entries.Chunk(BatchSize)) await WriteAsync(chunk, cancellationToken);
            return;
        }
        catch (PostgresException ex) when (IsDataError(ex))
        {
            logger.LogWarning("{Writer}: PostgreSQL refused a batch of {Count} entries ({SqlState}: {Message}); writing it group by group to isolate the bad rows",
                GetType().Name, entries.Count, ex.SqlState, ex.MessageText);
        }

        foreach (var group in entries.GroupBy(e => GroupOf(e.Key), StringComparer.Ordinal))
        {
            var rows = group.ToArray();
            try
            {
                foreach (var chunk in rows.Chunk(BatchSize)) await WriteAsync(chunk, cancellationToken);
            }
            catch (PostgresException ex) when (IsDataError(ex))
            {
                var refused = new RefusedWriteException(group.Key, $"{ex.SqlState}: {ex.MessageText}", ex);
                logger.LogError("{Writer}: PostgreSQL refused {Count} entries of {Group} ({Reason}); they are dropped, every other group was written",
                    GetType().Name, rows.Length, group.Key, refused.Reason);
                foreach (var waiter in waiters.Where(w => w.Group == group.Key)) waiter.Done.TrySetException(refused);
            }
        }
    }

    /// <summary>Class 22 (data exception) and 23 (integrity constraint): retrying the same rows cannot succeed.</summary>
    private static bool IsDataError(PostgresException ex) => ex.SqlState.StartsWith("22", StringComparison.Ordinal) || ex.SqlState.StartsWith("23", StringComparison.Ordinal);

    private bool IsPending(TKey key)
    {
        var stripe = _stripes[(StripeOf(key) & int.MaxValue) % Stripes];
        lock (stripe.Gate) return stripe.Pending.ContainsKey(key);
    }
}

/// <summary>The database refused a group's rows for their data; retrying them unchanged cannot succeed.</summary>
public sealed class RefusedWriteException(string group, string reason, Exception inner)
    : Exception($"PostgreSQL refused the rows of {group}: {reason}", inner)
{
    public string Group { get; } = group;

    public string Reason { get; } = reason;
}
