using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Grains.Costs;

/// <summary>
/// The absolute hourly buckets of one service, grouped by hour with each hour's total kept up to
/// date as buckets are replaced. Replacing, not adding, is what makes re-sent and restated data safe.
/// </summary>
public sealed class ServiceBuckets
{
    private readonly SortedDictionary<DateTime, HourBuckets> _hours = new();

    // The anomaly detector reads hundreds of hours per verdict; a hash lookup keeps that O(1) per hour.
    private readonly Dictionary<DateTime, HourBuckets> _byHour = new();

    // The freshness gauge asks for each provider's newest hour on every snapshot; a sorted set per
    // provider answers in O(log n) instead of a walk over every bucket.
    private readonly Dictionary<string, SortedSet<DateTime>> _providerHours = new(StringComparer.Ordinal);

    public int Count { get; private set; }

    /// <summary>The hours that hold data, in order: the series windows and anomaly detection read.</summary>
    public IReadOnlyDictionary<DateTime, HourBuckets> Hours => _hours;

    public IEnumerable<KeyValuePair<BucketKey, BucketAmount>> Buckets => _hours.Values.SelectMany(h => h.Buckets);

    /// <summary>Sets a bucket to its absolute amount. Returns false when nothing changed.</summary>
    public bool Set(BucketKey key, BucketAmount amount) => Set(key, amount, 0) == BucketChange.Changed;

    /// <summary>
    /// Sets a bucket to its absolute amount as written by ingest message <paramref name="sequence"/>.
    /// A message older than the one that last wrote the bucket is <see cref="BucketChange.Stale"/> and changes nothing.
    /// </summary>
    public BucketChange Set(BucketKey key, BucketAmount amount, long sequence)
    {
        var hour = DateTime.SpecifyKind(key.Hour, DateTimeKind.Utc);
        if (key.Hour.Kind != DateTimeKind.Utc) key = key with { Hour = hour };
        if (!_byHour.TryGetValue(hour, out var buckets))
        {
            buckets = new HourBuckets();
            _hours.Add(hour, buckets);
            _byHour.Add(hour, buckets);
        }

        var (change, added) = buckets.Set(key, amount, sequence);
        if (added)
        {
            Count++;
            if (!_providerHours.TryGetValue(key.Provider, out var hours))
            {
                hours = new SortedSet<DateTime>();
                _providerHours.Add(key.Provider, hours);
            }

            hours.Add(hour);
        }

        return change;
    }

    /// <summary>Applies a batch and returns the updates that changed something.</summary>
    public List<BucketUpdate> Apply(IEnumerable<BucketUpdate> updates) => Apply(updates, 0).Changed;

    /// <summary>
    /// Applies ingest message <paramref name="sequence"/>: <c>Current</c> are its updates that are not
    /// stale (what must be stored with the sequence), <c>Changed</c> those of them that moved an amount.
    /// </summary>
    public (List<BucketUpdate> Current, List<BucketUpdate> Changed) Apply(IEnumerable<BucketUpdate> updates, long sequence)
    {
        var current = new List<BucketUpdate>();
        var changed = new List<BucketUpdate>();
        foreach (var update in updates)
        {
            var change = Set(update.Key, update.Amount, sequence);
            if (change == BucketChange.Stale) continue;
            current.Add(update);
            if (change == BucketChange.Changed) changed.Add(update);
        }

        return (current, changed);
    }

    /// <summary>Forgets hours before <paramref name="cutoff"/>; they stay in PostgreSQL.</summary>
    public int PruneBefore(DateTime cutoff)
    {
        var oldHours = _hours.Keys.TakeWhile(h => h < cutoff).ToList();
        var removed = 0;
        foreach (var hour in oldHours)
        {
            removed += _hours[hour].Count;
            _hours.Remove(hour);
            _byHour.Remove(hour);
        }

        Count -= removed;
        if (oldHours.Count > 0)
        {
            foreach (var hours in _providerHours.Values) hours.RemoveWhere(h => h < cutoff);
        }

        return removed;
    }

    /// <summary>Each provider's newest hour with data before <paramref name="before"/>.</summary>
    public IEnumerable<(string Provider, DateTime Hour)> LatestHourByProvider(DateTime before)
    {
        foreach (var (provider, hours) in _providerHours)
        {
            if (hours.Count == 0 || hours.Min >= before) continue;
            yield return (provider, hours.GetViewBetween(hours.Min, before.AddTicks(-1)).Max);
        }
    }

    public decimal TotalOf(DateTime hour) => _byHour.TryGetValue(hour, out var h) ? h.TotalUsd : 0m;
}

public enum BucketChange
{
    /// <summary>The same amount (a re-sent request).</summary>
    Unchanged,

    Changed,

    /// <summary>Older than the message that last wrote the bucket: ignored.</summary>
    Stale,
}

/// <summary>The buckets of one hour of one service, and their total.</summary>
public sealed class HourBuckets
{
    private readonly Dictionary<BucketKey, (BucketAmount Amount, long Sequence)> _buckets = new();

    public decimal TotalUsd { get; private set; }

    public int Count => _buckets.Count;

    public IEnumerable<KeyValuePair<BucketKey, BucketAmount>> Buckets => _buckets.Select(b => KeyValuePair.Create(b.Key, b.Value.Amount));

    public (BucketChange Change, bool Added) Set(BucketKey key, BucketAmount amount, long sequence)
    {
        if (_buckets.TryGetValue(key, out var old))
        {
            if (old.Sequence > sequence) return (BucketChange.Stale, false);
            _buckets[key] = (amount, sequence);
            if (old.Amount == amount) return (BucketChange.Unchanged, false);
            TotalUsd += amount.CostUsd - old.Amount.CostUsd;
            return (BucketChange.Changed, false);
        }

        TotalUsd += amount.CostUsd;
        _buckets.Add(key, (amount, sequence));
        return (BucketChange.Changed, true);
    }
}
