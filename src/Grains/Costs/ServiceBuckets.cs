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
    public bool Set(BucketKey key, BucketAmount amount)
    {
        var hour = DateTime.SpecifyKind(key.Hour, DateTimeKind.Utc);
        if (key.Hour.Kind != DateTimeKind.Utc) key = key with { Hour = hour };
        if (!_byHour.TryGetValue(hour, out var buckets))
        {
            buckets = new HourBuckets();
            _hours.Add(hour, buckets);
            _byHour.Add(hour, buckets);
        }

        var (changed, added) = buckets.Set(key, amount);
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

        return changed;
    }

    /// <summary>Applies a batch and returns the updates that changed something (what must be persisted).</summary>
    public List<BucketUpdate> Apply(IEnumerable<BucketUpdate> updates)
    {
        var changed = new List<BucketUpdate>();
        foreach (var update in updates)
        {
            if (Set(update.Key, update.Amount)) changed.Add(update);
        }

        return changed;
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

/// <summary>The buckets of one hour of one service, and their total.</summary>
public sealed class HourBuckets
{
    private readonly Dictionary<BucketKey, BucketAmount> _buckets = new();

    public decimal TotalUsd { get; private set; }

    public int Count => _buckets.Count;

    public IEnumerable<KeyValuePair<BucketKey, BucketAmount>> Buckets => _buckets;

    public (bool Changed, bool Added) Set(BucketKey key, BucketAmount amount)
    {
        if (_buckets.TryGetValue(key, out var old))
        {
            if (old == amount) return (false, false);
            TotalUsd += amount.CostUsd - old.CostUsd;
            _buckets[key] = amount;
            return (true, false);
        }

        TotalUsd += amount.CostUsd;
        _buckets.Add(key, amount);
        return (true, true);
    }
}
