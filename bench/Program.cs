using System.Globalization;
using CloudSentinel.Bench;

// dotnet run -c Release --project bench [-- ingest|lineitems|focus|focus-parse|memory|phases|anomalies|anomaly-quality|freshness|grainpath|dashboards|allocation|cardinality|chaos|kubernetes|soak]
// Each benchmark prints its table and rewrites its own section of BENCHMARKS.md (chaos: of docs/durability.md).
// No argument runs the modes marked "all", in this order.
(string Mode, bool InAll, Func<Task<string>> Run, string? File)[] modes =
[
    ("ingest", true, IngestBenchmark.RunAsync, "BENCHMARKS.md"),
    ("lineitems", true, LineItemBenchmark.RunAsync, "BENCHMARKS.md"),
    ("focus", false, FocusBenchmark.RunAsync, "BENCHMARKS.md"),
    ("focus-parse", false, FocusParseBenchmark.RunAsync, "BENCHMARKS.md"),
    ("memory", false, GrainMemoryBenchmark.RunAsync, "BENCHMARKS.md"),
    ("phases", false, () => Task.FromResult(LineItemBenchmark.Phases()), null),
    ("anomalies", true, AnomalyBenchmark.RunAsync, "BENCHMARKS.md"),
    ("anomaly-quality", true, () => Task.FromResult(AnomalyQualityBenchmark.Run()), "BENCHMARKS.md"),
    ("freshness", false, FreshnessBenchmark.RunAsync, "BENCHMARKS.md"),
    ("grainpath", false, GrainPathBenchmark.RunAsync, "BENCHMARKS.md"),
    ("dashboards", true, DashboardBenchmark.RunAsync, "BENCHMARKS.md"),
    ("allocation", true, () => Task.FromResult(AllocationBenchmark.Run()), "BENCHMARKS.md"),
    ("cardinality", false, CardinalityBenchmark.RunAsync, "BENCHMARKS.md"),
    ("chaos", false, ChaosRun.RunAsync, "docs/durability.md"),
    ("kubernetes", false, KubernetesUsageBenchmark.RunAsync, "BENCHMARKS.md"),
    ("soak", false, SoakRun.RunAsync, "BENCHMARKS.md"),
];

var which = args.Length > 0 ? args[0] : "all";
if (which == "memory-child")
{
    // One row of the memory benchmark, in a process of its own.
    await GrainMemoryBenchmark.ChildAsync(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture));
    return 0;
}

var chosen = modes.Where(m => which == m.Mode || (which == "all" && m.InAll)).ToList();
if (chosen.Count == 0)
{
    Console.Error.WriteLine($"unknown benchmark '{which}'; one of: {string.Join(", ", modes.Select(m => m.Mode))}, or none for all of {string.Join(", ", modes.Where(m => m.InAll).Select(m => m.Mode))}");
    return 2;
}

foreach (var (mode, _, run, file) in chosen)
{
    var table = await run();
    Console.WriteLine(table);
    if (file is not null) BenchEnvironment.WriteSection(mode, table, file);
}

return 0;
