using System.Diagnostics;
using System.Globalization;
using System.Text;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Grains.Abstractions.Persistence;
using CloudSentinel.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CloudSentinel.Bench;

/// <summary>
/// Issue 11's memory target: resident bytes per active service grain holding 35 days of hourly
/// buckets. An in-memory silo runs in this process; its bucket store hands every service 35 days of
/// hourly buckets on activation (made up on the fly, so that the store itself holds nothing), and
/// the benchmark activates 10,000 and then 100,000 grains and reads the managed heap and the
/// process's resident memory before and after.
/// </summary>
public static class GrainMemoryBenchmark
{
    private const int Days = 35;

    public static async Task<string> RunAsync()
    {
        var table = new StringBuilder()
            .AppendLine("## Service grain memory (issue 11)")
            .AppendLine()
            .AppendLine($"Machine: {BenchEnvironment.Machine}. Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, Release build, `dotnet run -c Release --project bench -- memory`.")
            .AppendLine($"Each row is its own process running an in-memory silo with the silo's GC settings (workstation GC, `System.GC.ConserveMemory` 5). On activation every service grain loads {Days} days of hourly buckets ({Days * 24} hours) from a store that makes them up on the fly, so the store holds nothing itself. " +
                        "Grains are activated by a view call and stay active; figures are the growth of the managed heap after a full collection, and of the resident set (VmRSS), divided by the grains.")
            .AppendLine()
            .AppendLine("| grains | buckets per hour (cost types) | buckets held | managed heap per grain | resident memory per grain | resident, settled |")
            .AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var (grains, costTypes) in new[] { (10_000, 1), (100_000, 1), (10_000, 4) })
        {
            // A process per row: the resident set of one row must not start from what the previous one left.
            var info = new ProcessStartInfo("dotnet", [typeof(GrainMemoryBenchmark).Assembly.Location, "memory-child", $"{grains}", $"{costTypes}"]) { RedirectStandardOutput = true };
            // The silo's GC settings (src/Silo/CloudSentinel.Silo.csproj): workstation GC, ConserveMemory 5.
            info.Environment["DOTNET_gcServer"] = "0";
            info.Environment["DOTNET_GCConserveMemory"] = "5";
            using var child = Process.Start(info) ?? throw new InvalidOperationException("could not start the memory benchmark's child process");
            var output = (await child.StandardOutput.ReadToEndAsync()).Trim().Split('\n')[^1].Split(' ');
            await child.WaitForExitAsync();
            if (child.ExitCode != 0) throw new InvalidOperationException($"the memory benchmark's child process exited with {child.ExitCode}");
            var (heap, rss, buckets) = (double.Parse(output[0], CultureInfo.InvariantCulture), double.Parse(output[1], CultureInfo.InvariantCulture), long.Parse(output[2], CultureInfo.InvariantCulture));
            var settled = double.Parse(output[3], CultureInfo.InvariantCulture);
            table.AppendLine($"| {grains:N0} | {costTypes} | {buckets:N0} | {heap / 1024:N1} KiB | {rss / 1024:N1} KiB | {settled / 1024:N1} KiB |");
            Console.Error.WriteLine($"  {grains:N0} grains × {costTypes} cost types: {heap / 1024:N1} KiB heap, {rss / 1024:N1} KiB resident, {settled / 1024:N1} KiB settled per grain");
        }

        return table.AppendLine()
            .AppendLine("\"Resident, settled\" is the same growth read again after the silo has been idle for 5 s with a full collection every second: the garbage of the activations (each load's list of stored buckets, the columns' growth) leaves free memory the GC hands back to the system over time, not at once.")
            .AppendLine()
            .AppendLine("Target from issue 20: ≤ 32 KiB per grain holding 35 days with four cost types.").ToString();
    }

    /// <summary>One row, in a process of its own: prints "heap-bytes-per-grain resident-bytes-per-grain buckets settled-resident-bytes-per-grain".</summary>
    public static async Task ChildAsync(int grains, int costTypes)
    {
        var (heap, rss, buckets, settled) = await MeasureAsync(grains, costTypes);
        Console.WriteLine(FormattableString.Invariant($"{heap} {rss} {buckets} {settled}"));
    }

    private static async Task<(double Heap, double Rss, long Buckets, double Settled)> MeasureAsync(int grainCount, int costTypes)
    {
        var store = new SyntheticHistoryStore(Days, costTypes);
        using var host = await SiloHost.BuildAsync([], b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Orleans:SiloPort"] = LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture),
                ["Orleans:GatewayPort"] = LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture),
                ["Logging:LogLevel:Default"] = "Error",
            });
            b.Services.AddSingleton<IBucketStore>(store);
        });
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        // Warm-up: the code paths, caches and tenant grains exist before the first reading.
        await ActivateAsync(grains, 0, 100);
        var (heapBefore, rssBefore) = Readings();
        var views = await ActivateAsync(grains, 100, grainCount);
        var (heapAfter, rssAfter) = Readings();
        var held = views.Sum(v => (long)v);
        for (var second = 0; second < 5; second++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            Readings();
        }

        var (_, rssSettled) = Readings();
        await host.StopAsync();
        return ((heapAfter - heapBefore) / (double)grainCount, (rssAfter - rssBefore) / (double)grainCount, held, (rssSettled - rssBefore) / (double)grainCount);
    }

    private static async Task<List<int>> ActivateAsync(IGrainFactory grains, int from, int count)
    {
        var held = new int[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var view = await grains.GetGrain<IServiceCostGrain>(ServiceKey.Format($"tenant{(from + i) % 10}", $"service-{from + i}")).GetView();
            held[i] = view.BucketCount;
        });
        return [.. held];
    }

    private static (long Heap, long Rss) Readings()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return (GC.GetTotalMemory(forceFullCollection: false), BenchEnvironment.ProcStatusKiB("self", "VmRSS") * 1024);
    }

    /// <summary>Hands every service <c>days</c> of hourly buckets, one per cost type and hour; keeps nothing.</summary>
    private sealed class SyntheticHistoryStore(int days, int costTypes) : IBucketStore
    {
        private static readonly string[] CostTypes = ["compute", "storage", "network", "database"];

        public Task<IReadOnlyList<StoredBucket>> LoadAsync(string tenant, string serviceName, DateTime since, CancellationToken cancellationToken)
        {
            var now = DateTime.UtcNow;
            var last = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc).AddHours(-1);
            var first = last.AddHours(-(days * 24) + 1);
            if (first < since) first = new DateTime(since.Ticks - since.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc).AddHours(1);
            var seed = serviceName.GetHashCode() & 0xffff;
            var buckets = new List<StoredBucket>(days * 24 * costTypes);
            for (var hour = first; hour <= last; hour = hour.AddHours(1))
            for (var type = 0; type < costTypes; type++)
            {
                var cost = 1m + (seed + hour.Hour * 7 + type) % 500 / 100m;
                buckets.Add(new StoredBucket(new BucketKey("aws", "123456789012", CostTypes[type], hour, "", ""), new BucketAmount(cost, 0m, 0m, 0m), 1));
            }

            return Task.FromResult<IReadOnlyList<StoredBucket>>(buckets);
        }

        public Task<IReadOnlyList<string>> LoadServiceNamesAsync(string tenant, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([]);
    }
}
