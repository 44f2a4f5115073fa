using System.Diagnostics;
using CloudSentinel.Allocation;
using CloudSentinel.Core;
using CloudSentinel.Grains.Clusters;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Bench;

/// <summary>
/// Allocation of a 2,000-pod cluster: one hour, and a 30-day (720-hour) recompute, against the
/// in-process ingest math (CostRecordValidator + BucketAggregator) over the same number of
/// records (one cost record per pod-hour), measured in the same run. No I/O on either side, so
/// the ratio compares the CPU cost of allocating a pod-hour with that of ingesting a cost record.
/// </summary>
public static class AllocationBenchmark
{
    private const int Pods = 2_000;
    private const int Services = 100;
    private const int Hours = 720;
    private const int SingleHourRuns = 21;
    private static readonly string[] StorageTypes = ["gp3", "io2", "standard"];
    private static readonly string[] Balancers = ["public", "internal", "admin", "grpc", "legacy"];

    public static string Run()
    {
        Console.WriteLine($"allocation benchmark: {Pods:N0} pods, {Services} services, 1 hour and {Hours} hours");
        var firstHour = DateTime.UtcNow.Date.AddDays(-31);
        var hours = Enumerable.Range(0, Hours).Select(h => (Cost: Cost(h), Pods: PodsOf(h))).ToList();
        var fields = Enumerable.Range(0, Hours).Select(h => CostFields(firstHour.AddHours(h))).ToList();

        // Warm-up of both paths (JIT), not counted.
        for (var i = 0; i < 5; i++)
        {
            ClusterAllocator.Allocate(hours[i].Cost, hours[i].Pods);
            Ingest(fields[i]);
        }

        var recompute = Stopwatch.StartNew();
        var sharedBuckets = 0;
        for (var h = 0; h < Hours; h++)
        {
            var allocation = ClusterAllocator.Allocate(hours[h].Cost, hours[h].Pods);
            sharedBuckets += SharedCostBuckets.From("bench", firstHour.AddHours(h), "aws", allocation).Sum(s => s.Value.Count);
        }

        recompute.Stop();
        var ingest = Stopwatch.StartNew();
        var buckets = 0;
        foreach (var hour in fields) buckets += Ingest(hour);
        ingest.Stop();

        // Measured after the long runs, so that tiered compilation has settled on both paths.
        var oneHour = Median(SingleHourRuns, () => ClusterAllocator.Allocate(hours[0].Cost, hours[0].Pods));
        var oneHourIngest = Median(SingleHourRuns, () => Ingest(fields[0]));

        var podHours = (double)Pods * Hours;
        return $"""
            ## Shared infrastructure allocation (issue 4)

            Machine: {BenchEnvironment.Machine}. Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, Release build, `dotnet run -c Release --project bench -- allocation`.
            Cluster: {Pods:N0} pods of {Services} services in 20 namespaces (kube-system shared), node cost with CPU/memory parts, a management fee and capacity,
            {StorageTypes.Length} storage types (30 % of pods), {Balancers.Length} load balancers (40 % of pods, request signal); default policy.
            **Baseline:** the gateway's in-process ingest math for the same number of records — `CostRecordValidator.Validate` +
            `BucketAggregator.Add` over one compute cost record per pod-hour (parsed fields prepared beforehand; no HTTP, stream or PostgreSQL on either side).

            | measure | value |
            |---|---|
            | allocate one hour of {Pods:N0} pods (median of {SingleHourRuns}) | {oneHour.TotalMilliseconds:N2} ms ({Pods / oneHour.TotalSeconds:N0} pod-hours/s) |
            | baseline: ingest math for {Pods:N0} records (median of {SingleHourRuns}) | {oneHourIngest.TotalMilliseconds:N2} ms ({Pods / oneHourIngest.TotalSeconds:N0} records/s) |
            | **ratio one hour, allocation / ingest baseline** | **{oneHour / oneHourIngest:N1}×** |
            | 30-day recompute: allocate {Hours} hours and derive the services' shared buckets ({sharedBuckets:N0}) | {recompute.Elapsed.TotalSeconds:N2} s ({podHours / recompute.Elapsed.TotalSeconds:N0} pod-hours/s) |
            | baseline: ingest math for {podHours:N0} records ({buckets:N0} buckets) | {ingest.Elapsed.TotalSeconds:N2} s ({podHours / ingest.Elapsed.TotalSeconds:N0} records/s) |
            | **ratio 30 days, allocation / ingest baseline** | **{recompute.Elapsed / ingest.Elapsed:N1}×** |

            A ratio above 1 means allocating a pod-hour costs more CPU than validating and bucketing one cost record.
            """;
    }

    private static int Ingest(IReadOnlyList<CostRecordFields> records)
    {
        var validator = new CostRecordValidator(new IngestLimits(), TimeProvider.System);
        var errors = new List<IngestError>();
        var aggregator = new BucketAggregator();
        foreach (var fields in records)
        {
            if (validator.Validate(fields, errors) is { } record) aggregator.Add(record);
        }

        return aggregator.BucketCount;
    }

    private static List<CostRecordFields> CostFields(DateTime hour) =>
    [
        .. Enumerable.Range(0, Pods).Select(i => new CostRecordFields
        {
            Index = i,
            Tenant = "bench",
            ServiceName = $"svc-{i % Services}",
            Provider = "aws",
            CostType = "compute",
            PeriodStart = hour,
            CostUsd = 0.01m + i % 97 * 0.0001m,
            CpuCostUsd = 0.006m,
            MemoryCostUsd = 0.004m + i % 97 * 0.0001m,
            AccountId = "111",
            Source = $"pod-{i}",
        }),
    ];

    private static ClusterCost Cost(int hour) => new()
    {
        NodeCpuCostUsd = 30.72m + hour % 24 * 0.1m,
        NodeMemoryCostUsd = 16.5m,
        NodeOtherCostUsd = 0.10m,
        CpuCapacityCoreHours = 1600m,
        MemoryCapacityGbHours = 6400m,
        Storage = [.. StorageTypes.Select((type, i) => new StorageCost(type, 1.2m + i, 20_000m))],
        LoadBalancers = [.. Balancers.Select((name, i) => new LoadBalancerCost(name, 0.0225m * (i + 1)))],
    };

    private static List<PodUsage> PodsOf(int hour) =>
    [
        .. Enumerable.Range(0, Pods).Select(i => new PodUsage
        {
            Namespace = i % 20 == 0 ? "kube-system" : $"ns-{i % 20}",
            PodName = $"pod-{i}",
            ServiceName = $"svc-{i % Services}",
            CpuRequestCoreHours = 0.25m * (1 + i % 8),
            CpuUsageCoreHours = 0.01m * ((i * 7 + hour * 13) % 300),
            MemoryRequestGbHours = 0.5m * (1 + i % 16),
            MemoryUsageGbHours = 0.01m * ((i * 11 + hour * 5) % 900),
            StorageType = i % 10 < 3 ? StorageTypes[i % StorageTypes.Length] : null,
            StorageGbHours = i % 10 < 3 ? 10m + i % 50 : 0m,
            LoadBalancer = i % 10 >= 6 ? Balancers[i % Balancers.Length] : null,
            LbRequests = i % 10 >= 6 ? (i * 31 + hour) % 1000 : 0m,
        }),
    ];

    private static TimeSpan Median(int runs, Action action)
    {
        var times = new List<TimeSpan>(runs);
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed);
        }

        times.Sort();
        return times[runs / 2];
    }
}
