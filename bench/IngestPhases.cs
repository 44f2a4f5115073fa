using System.Diagnostics;
using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;
using CloudSentinel.Storage.IngestLog;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace CloudSentinel.Bench;

/// <summary>
/// Where the gateway's CPU goes for one request of the line-item workload, phase by phase, in this
/// process (no HTTP, no PostgreSQL): parse, validate, fold into buckets, serialize the log messages.
/// The profile behind the line-item section's note. Times are the process's CPU time (GC included),
/// which other work on a shared machine disturbs less than wall time.
/// </summary>
public static class IngestPhases
{
    public static string Run(byte[] body, int rounds = 7)
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var limits = new IngestLimits();
        var router = new ClusterCostRouter(new ClusterRoutingOptions().Validate());
        var phases = new Dictionary<string, List<double>> { ["parse"] = [], ["validate"] = [], ["fold"] = [], ["serialize"] = [] };
        var allocated = new Dictionary<string, long>();
        var records = 0;
        for (var round = 0; round < rounds; round++)
        {
            var clock = new CpuClock();
            var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
            var parse = CostRecordJson.Parse(body, limits.MaxRecords);
            phases["parse"].Add(clock.Milliseconds);
            allocated["parse"] = GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
            records = parse.Records.Count;

            clock.Restart();
            bytesBefore = GC.GetAllocatedBytesForCurrentThread();
            var validator = new CostRecordValidator(limits, TimeProvider.System);
            var errors = new List<IngestError>();
            var valid = new List<CostRecord>(parse.Records.Count);
            foreach (var fields in parse.Records)
            {
                if (validator.Validate(fields, errors) is not { } record) continue;
                router.Check(record, fields.Index, errors);
                valid.Add(record);
            }

            phases["validate"].Add(clock.Milliseconds);
            allocated["validate"] = GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
            if (errors.Count > 0) throw new InvalidOperationException($"the workload is invalid: {errors[0]}");

            clock.Restart();
            bytesBefore = GC.GetAllocatedBytesForCurrentThread();
            var clusters = new ClusterInputAggregator();
            var buckets = new BucketAggregator();
            foreach (var record in router.Split(valid, clusters)) buckets.Add(record);
            var batches = buckets.Batches().ToList();
            phases["fold"].Add(clock.Milliseconds);
            allocated["fold"] = GC.GetAllocatedBytesForCurrentThread() - bytesBefore;

            clock.Restart();
            bytesBefore = GC.GetAllocatedBytesForCurrentThread();
            long bytes = 0;
            foreach (var batch in batches.SelectMany(MessageChunks.Split)) bytes += serializer.SerializeToArray(batch).Length;
            phases["serialize"].Add(clock.Milliseconds);
            allocated["serialize"] = GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
        }

        var lines = new System.Text.StringBuilder()
            .AppendLine($"| phase (one request of {records:N0} line items, {body.Length / 1024.0 / 1024:0.0} MiB; median of {rounds - 1} after a warm-up) | CPU ms | µs per line item | bytes allocated per line item |")
            .AppendLine("|---|---:|---:|---:|");
        double total = 0;
        foreach (var (name, times) in phases)
        {
            var median = times.Skip(1).Order().ElementAt((times.Count - 1) / 2);
            total += median;
            lines.AppendLine($"| {name} | {median:0.0} | {median * 1000 / records:0.00} | {allocated[name] / records:N0} |");
        }

        lines.AppendLine($"| **all** | **{total:0.0}** | **{total * 1000 / records:0.00}** | **{allocated.Values.Sum() / records:N0}** |");
        return lines.AppendLine().Append(GatewayRead(body, rounds)).ToString();
    }

    /// <summary>
    /// The gateway's read of one request, whole: main's path (the body copied into one array, parsed
    /// into a record object per line item, validated into a second, folded through a closure) against
    /// the streamed reader (a 64 KiB window, one reused struct, names interned per request), alternating
    /// in the same process on the same body.
    /// </summary>
    public static string GatewayRead(byte[] body, int rounds = 7)
    {
        var limits = new IngestLimits();
        var router = new ClusterCostRouter(new ClusterRoutingOptions().Validate());
        CostRequest NewRequest() => new(new CostRecordValidator(limits, TimeProvider.System), router);
        var ways = new (string Name, Func<CostRequest, int> Read)[]
        {
            ("whole body: copied into one array, a record object per line item (main, 6876de4)", request =>
            {
                using var copy = new MemoryStream();
                new MemoryStream(body, writable: false).CopyTo(copy, 81920);
                var scan = CostRecordJson.ParseEach(copy.GetBuffer().AsMemory(0, (int)copy.Length), limits.MaxRecords, request.Add);
                return scan.Records;
            }),
            ("streamed: 64 KiB window, one reused struct, names interned per request", request =>
            {
                var read = CostBodyReader.ReadAsync(new MemoryStream(body, writable: false), limits.MaxBodyBytes, limits.MaxRecords, request, CancellationToken.None).GetAwaiter().GetResult();
                return read.Scan.Records;
            }),
        };
        var times = ways.Select(_ => new List<double>()).ToArray();
        var bytes = new long[ways.Length];
        var records = 0;
        var buckets = new int[ways.Length];
        for (var round = 0; round < rounds; round++)
        {
            for (var way = 0; way < ways.Length; way++)
            {
                var request = NewRequest();
                var clock = new CpuClock();
                var before = GC.GetTotalAllocatedBytes(precise: true);
                records = ways[way].Read(request);
                times[way].Add(clock.Milliseconds);
                bytes[way] = GC.GetTotalAllocatedBytes(precise: true) - before;
                if (request.Errors.Count > 0) throw new InvalidOperationException($"the workload is invalid: {request.Errors[0]}");
                buckets[way] = request.Buckets.BucketCount;
            }
        }

        if (buckets.Distinct().Count() != 1) throw new InvalidOperationException($"the two reads folded different buckets: {string.Join(" vs ", buckets)}");
        var lines = new System.Text.StringBuilder()
            .AppendLine($"| the gateway's read of one request ({records:N0} line items → {buckets[0]:N0} buckets; median of {rounds - 1} after a warm-up, the two alternating) | CPU ms | µs per line item | bytes allocated per line item |")
            .AppendLine("|---|---:|---:|---:|");
        for (var way = 0; way < ways.Length; way++)
        {
            var median = times[way].Skip(1).Order().ElementAt((times[way].Count - 1) / 2);
            lines.AppendLine($"| {ways[way].Name} | {median:0.0} | {median * 1000 / records:0.00} | {bytes[way] / (double)records:N1} |");
        }

        return lines.ToString();
    }
}

/// <summary>CPU time of this process since the last <see cref="Restart"/>.</summary>
internal sealed class CpuClock
{
    private TimeSpan _start = Process.GetCurrentProcess().TotalProcessorTime;

    public double Milliseconds => (Process.GetCurrentProcess().TotalProcessorTime - _start).TotalMilliseconds;

    public void Restart() => _start = Process.GetCurrentProcess().TotalProcessorTime;
}
