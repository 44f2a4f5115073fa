using CloudSentinel.Gateway.Metrics;
using CloudSentinel.Grains.Abstractions;
using Prometheus;

namespace CloudSentinel.Tests.Unit;

/// <summary>A tenant's scrape renders its own series only, so what it costs does not depend on the other tenants.</summary>
public sealed class TenantScrapeTests
{
    private static readonly DateTime Hour = new(2026, 12, 6, 10, 0, 0, DateTimeKind.Utc);

    private static ServiceSnapshot Snapshot(string tenant, int service) => new(
        tenant, $"svc-{service}", Hour, [new CostLine("compute", "aws", 1.5m)], 0.9m, 0.6m, [], [], 0.7m, 400m, [new LabeledHour("aws", Hour)]);

    private static async Task<string[]> SamplesAsync(CollectorRegistry registry)
    {
        using var buffer = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()).Split('\n').Where(l => l.Length > 0 && l[0] != '#').ToArray();
    }

    [Fact]
    public async Task A_tenants_registry_holds_its_series_and_no_other_tenants_however_many_they_hold()
    {
        var registries = new TenantRegistries(Prometheus.Metrics.NewCustomRegistry());
        var exporter = new GaugeExporter(registries);
        exporter.Apply(Snapshot("small", 1));
        var alone = await SamplesAsync(registries.Find("small")!);
        for (var i = 0; i < 2_000; i++) exporter.Apply(Snapshot("large", i));

        var small = await SamplesAsync(registries.Find("small")!);

        // Per service: cost per service, cpu, memory, current hour, month to date, anomaly impact (6).
        // Per tenant: its month to date, latest hour, forecast services computed and warming up, the impact floor (5).
        Assert.Equal(6 + 5, small.Length);
        Assert.Equal(alone, small);
        Assert.All(small, line => Assert.Contains("tenant=\"small\"", line));
        Assert.Equal(6 + 5 + 2_000 * 6 + 5, (await SamplesAsync(registries.All)).Length);
        Assert.Null(registries.Find("nobody"));
    }

    [Fact]
    public async Task A_series_removed_from_the_gateway_is_removed_from_its_tenants_registry_too()
    {
        var registries = new TenantRegistries(Prometheus.Metrics.NewCustomRegistry());
        var exporter = new GaugeExporter(registries);
        exporter.Apply(Snapshot("t", 1));
        exporter.Apply(Snapshot("t", 1) with { LatestHourCosts = [new CostLine("storage", "gcp", 2m)] });

        var samples = await SamplesAsync(registries.Find("t")!);

        Assert.Contains(samples, l => l.StartsWith("cloudsentinel_cost_per_service_usd{", StringComparison.Ordinal) && l.Contains("cloud_provider=\"gcp\""));
        Assert.DoesNotContain(samples, l => l.StartsWith("cloudsentinel_cost_per_service_usd{", StringComparison.Ordinal) && l.Contains("cloud_provider=\"aws\""));
        Assert.Equal(samples.Order(), (await SamplesAsync(registries.All)).Order());
    }
}
