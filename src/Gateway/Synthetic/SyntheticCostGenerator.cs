using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Gateway.Synthetic;

/// <summary>
/// Deterministic demo data: tenants with many services on three clouds, daily and weekly
/// patterns, noise, rare spikes and an untagged service per tenant. The same (seed, service, hour)
/// always gives the same amounts, so re-sending an hour is a no-op downstream.
/// </summary>
public sealed class SyntheticCostGenerator(SyntheticOptions options)
{
    private static readonly string[] Domains = ["checkout", "search", "catalog", "payments", "auth", "billing", "ledger", "media", "inventory", "shipping", "ranking", "reports", "notify", "profile", "pricing", "ads"];
    private static readonly string[] Roles = ["api", "worker", "db", "cache", "ml", "etl", "gateway", "web", "stream", "batch"];
    private static readonly string[] Providers = ["aws", "gcp", "azure"];
    private static readonly string[] StorageTypes = ["ssd", "hdd", "object"];

    public IReadOnlyList<string> Tenants => options.Tenants;

    public IEnumerable<string> Services(string tenant)
    {
        for (var i = 0; i < options.ServicesPerTenant; i++) yield return ServiceName(i);
        yield return CostVocabulary.UntaggedService;
    }

    /// <summary>The records of one hour. <paramref name="fraction"/> &lt; 1 gives the cost so far of a running hour.</summary>
    public IEnumerable<CostRecord> Hour(DateTime hour, decimal fraction = 1m)
    {
        foreach (var tenant in options.Tenants)
        {
            var index = 0;
            foreach (var service in Services(tenant))
            {
                foreach (var record in ServiceHour(tenant, service, index++, hour, fraction)) yield return record;
            }
        }
    }

    public static string ServiceName(int index) =>
        $"{Domains[index % Domains.Length]}-{Roles[index / Domains.Length % Roles.Length]}" + (index >= Domains.Length * Roles.Length ? $"-{index}" : "");

    private IEnumerable<CostRecord> ServiceHour(string tenant, string service, int index, DateTime hour, decimal fraction)
    {
        var seed = Hash(options.Seed, tenant, service);
        var provider = Providers[index % Providers.Length];
        var baseCost = 0.5 + 40 * Unit(seed, 1) * Unit(seed, 2);
        var hourOfDay = hour.Hour + hour.Minute / 60.0;
        var daily = 1 + 0.35 * Math.Sin((hourOfDay - 9) / 24 * 2 * Math.PI);
        var weekly = hour.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.7 : 1.0;
        var hourSeed = Hash(seed, hour.Ticks.ToString());
        var noise = 1 + 0.06 * (Unit(hourSeed, 3) - 0.5);
        var spike = Unit(hourSeed, 4) < options.SpikeProbability ? 4 + 4 * Unit(hourSeed, 5) : 1;
        var total = (decimal)(baseCost * daily * weekly * noise * spike) * fraction;

        CostRecord Record(string costType, decimal share) => new()
        {
            Tenant = tenant,
            ServiceName = service,
            Provider = provider,
            CostType = costType,
            PeriodStart = hour,
            PeriodEnd = hour.AddHours(1),
            CostUsd = Math.Round(total * share, 6),
            AccountId = $"{provider}-{tenant}-prod",
            Source = "synthetic",
        };

        var compute = Record("compute", 0.6m);
        yield return compute with
        {
            CpuCostUsd = Math.Round(compute.CostUsd * 0.65m, 6),
            MemoryCostUsd = compute.CostUsd - Math.Round(compute.CostUsd * 0.65m, 6),
        };
        var storageType = StorageTypes[(int)(Unit(seed, 6) * StorageTypes.Length)];
        yield return Record("storage", 0.15m) with { StorageType = storageType, StorageGb = Math.Round((decimal)(baseCost * 200), 1) };
        yield return Record("network", 0.08m) with { Direction = "egress" };
        yield return Record("network", 0.02m) with { Direction = "ingress" };
        yield return Record(index % 3 == 0 ? "database" : "other", 0.15m);
    }

    internal static ulong Hash(ulong seed, params string[] parts)
    {
        var hash = seed ^ 14695981039346656037UL;
        foreach (var part in parts)
        {
            foreach (var c in part) hash = (hash ^ c) * 1099511628211UL;
            hash = (hash ^ 0xff) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>A uniform number in [0, 1) drawn from a seed and a stream number.</summary>
    internal static double Unit(ulong seed, int stream)
    {
        var x = seed + (ulong)stream * 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (x >> 11) * (1.0 / (1UL << 53));
    }
}
