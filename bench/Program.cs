using CloudSentinel.Bench;

// dotnet run -c Release --project bench [-- ingest|lineitems|focus|memory|anomalies|dashboards|allocation|cardinality|chaos]
// Each benchmark prints its table and rewrites its own section of BENCHMARKS.md (chaos: of docs/durability.md).
var which = args.Length > 0 ? args[0] : "all";
if (which is "all" or "ingest")
{
    var table = await IngestBenchmark.RunAsync();
    Console.WriteLine(table);
    BenchEnvironment.WriteSection("ingest", table);
}

if (which is "all" or "lineitems")
{
    var table = await LineItemBenchmark.RunAsync();
    Console.WriteLine(table);
    BenchEnvironment.WriteSection("lineitems", table);
}

if (which is "focus")
{
    var table = await FocusBenchmark.RunAsync();
    Console.WriteLine(table);
    BenchEnvironment.WriteSection("focus", table);
}

if (which is "memory")
{
    var table = await GrainMemoryBenchmark.RunAsync();
    Console.WriteLine(table);
    BenchEnvironment.WriteSection("memory", table);
}

if (which is "memory-child")
{
    await GrainMemoryBenchmark.ChildAsync(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
}

if (which is "phases")
{
    Console.WriteLine(LineItemBenchmark.Phases());
}

if (which is "all" or "anomalies")
{
    var table = await AnomalyBenchmark.RunAsync();
    Console.WriteLine(table);
    BenchEnvironment.WriteSection("anomalies", table);
}

if (which is "all" or "dashboards")
{
    var table = await DashboardBenchmark.RunAsync();
    Console.WriteLine(table);
    BenchEnvironment.WriteSection("dashboards", table);
}

if (which is "all" or "allocation")
{
    var table = AllocationBenchmark.Run();
    Console.WriteLine(table);
    BenchEnvironment.WriteSection("allocation", table);
}

if (which is "cardinality")
{
    var table = await CardinalityBenchmark.RunAsync();
    Console.WriteLine(table);
    BenchEnvironment.WriteSection("cardinality", table);
}

if (which is "chaos")
{
    var table = await ChaosRun.RunAsync();
    Console.WriteLine(table);
    BenchEnvironment.WriteSection("chaos", table, "docs/durability.md");
}
