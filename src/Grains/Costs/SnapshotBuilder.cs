using CloudSentinel.Anomalies;
using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Grains.Costs;

/// <summary>Builds the gauge snapshot of one service from its buckets and windows.</summary>
public static class SnapshotBuilder
{
    /// <summary>Label for storage buckets that named no storage type.</summary>
    public const string UnspecifiedStorageType = "unspecified";

    public static ServiceSnapshot Build(string tenant, string serviceName, ServiceBuckets buckets, CostWindows windows, AnomalyResult? verdict)
    {
        var lines = new Dictionary<(string, string), decimal>();
        var storage = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var network = new Dictionary<string, decimal>(StringComparer.Ordinal);
        decimal cpu = 0, memory = 0;
        if (windows.LatestHour is { } latest)
        {
            foreach (var (key, amount) in buckets.BucketsAt(latest))
            {
                lines[(key.CostType, key.Provider)] = lines.GetValueOrDefault((key.CostType, key.Provider)) + amount.CostUsd;
                cpu += amount.CpuCostUsd;
                memory += amount.MemoryCostUsd;
                if (key.CostType == "storage")
                {
                    var type = key.Breakdown.Length == 0 ? UnspecifiedStorageType : key.Breakdown;
                    storage[type] = storage.GetValueOrDefault(type) + amount.CostUsd;
                }
                else if (key.CostType == "network" && key.Breakdown.Length > 0)
                {
                    network[key.Breakdown] = network.GetValueOrDefault(key.Breakdown) + amount.CostUsd;
                }
            }
        }

        return new ServiceSnapshot(
            tenant,
            serviceName,
            windows.LatestHour,
            lines.Select(l => new CostLine(l.Key.Item1, l.Key.Item2, l.Value)).ToArray(),
            cpu,
            memory,
            storage.Select(s => new LabeledAmount(s.Key, s.Value)).ToArray(),
            network.Select(n => new LabeledAmount(n.Key, n.Value)).ToArray(),
            windows.RunningHourUsd,
            windows.MonthToDateUsd,
            LatestHourByProvider(buckets, windows.CurrentHour),
            ExpectedUsd: verdict?.ExpectedUsd,
            ZScore: verdict?.ZScore,
            AnomalyImpactUsd: verdict is { IsAnomaly: true } ? verdict.ImpactUsd : null);
    }

    private static LabeledHour[] LatestHourByProvider(ServiceBuckets buckets, DateTime currentHour) =>
        buckets.LatestHourByProvider(currentHour).Select(p => new LabeledHour(p.Provider, p.Hour)).ToArray();
}
