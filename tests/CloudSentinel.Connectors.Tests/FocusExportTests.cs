using Xunit;

namespace CloudSentinel.Connectors.Tests;

/// <summary>FOCUS 1.3 export rows: the column rules hold, split rows add up to their bucket, and the importer reads them back to the same totals.</summary>
public sealed class FocusExportTests
{
    private static readonly DateTime Hour = new(2026, 11, 3, 10, 0, 0, DateTimeKind.Utc);

    private static readonly ServiceCostLine[] Lines =
    [
        new(Hour, "checkout", "compute", "aws", "111", "focus", "", 12.5000000001m),
        new(Hour, "checkout", "storage", "aws", "", "", "ssd", 0.00000000000037m),
        new(Hour, "search", "network", "gcp", "proj-1", "", "egress", -0.75m),
        new(Hour, "api", "compute", "aws", "", "shared:eks-1", "", 3.000001m, 62.5m, 40m,
            [new PodCost("web", "api-1", 1.000001m), new PodCost("web", "api-2", 2m)]),
        // Pods that do not add up to the bucket: one split row for the service instead.
        new(Hour, "batch", "compute", "aws", "", "shared:eks-1", "", 1.5m, 37.5m, 60m, [new PodCost("jobs", "batch-1", 1.4m)]),
        new(Hour, "api", "storage", "aws", "", "shared:eks-1", "gp3", 0.25m),
        new(Hour, "api", "network", "aws", "", "shared:eks-1", "", 0.125m),
    ];

    private static async Task<byte[]> ExportAsync(FocusExportFormat format)
    {
        using var output = new MemoryStream();
        await using (var writer = FocusExportWriter.Create(format, output))
        {
            foreach (var row in Lines.SelectMany(l => FocusExportRows.From("acme", l)))
            {
                FocusExportRows.Check(row);
                await writer.WriteAsync(row, CancellationToken.None);
            }

            await writer.CompleteAsync(CancellationToken.None);
        }

        return output.ToArray();
    }

    [Theory]
    [InlineData(FocusExportFormat.Csv)]
    [InlineData(FocusExportFormat.Parquet)]
    public async Task An_export_meets_the_focus_13_column_rules_and_imports_back_to_the_same_totals(FocusExportFormat format)
    {
        var file = await ExportAsync(format);

        Assert.Empty(await FocusConformance.CheckAsync(new MemoryStream(file)));
        var imported = await new FocusImporter().ImportAsync(new MemoryStream(file), "copy");
        Assert.Equal((FocusVersion.V1_3, 8L, 0L, 0L), (imported.Version, imported.RowsRead, imported.RowsRejected, imported.RowsSuperseded));
        var expected = Lines.GroupBy(l => (l.ServiceName, l.CostType)).ToDictionary(g => g.Key, g => g.Sum(l => l.CostUsd));
        var actual = imported.Records.GroupBy(r => (r.ServiceName, r.CostType)).ToDictionary(g => g.Key, g => g.Sum(r => r.CostUsd));
        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
        Assert.All(imported.Records, r => Assert.Equal((Hour, Hour.AddHours(1)), (r.PeriodStart, r.PeriodEnd)));
        Assert.Equal(["aws", "aws", "aws", "aws", "aws", "aws", "gcp"], imported.Records.Select(r => r.Provider).Order());
        Assert.Equal(["gp3", "ssd"], imported.Records.Where(r => r.CostType == "storage").Select(r => r.StorageType).Order());
        Assert.Equal("egress", imported.Records.Single(r => r.ServiceName == "search").Direction);
    }

    [Fact]
    public void A_share_of_a_cluster_is_split_per_pod_when_the_pods_add_up_and_per_service_otherwise()
    {
        var api = FocusExportRows.From("acme", Lines[3]).ToList();
        var batch = FocusExportRows.From("acme", Lines[4]).ToList();
        string? Value(string?[] row, string column) => row[Focus13Schema.Index[column]];

        Assert.Equal(["eks-1/web/api-1", "eks-1/web/api-2"], api.Select(r => Value(r, "AllocatedResourceId")));
        Assert.Equal(["1.000001", "2"], api.Select(r => Value(r, "EffectiveCost")));
        Assert.All(api, r => Assert.Equal(("eks-1", FocusExportRows.AllocatedMethodId, null), (Value(r, "ResourceId"), Value(r, "AllocatedMethodId"), Value(r, "Tags"))));
        Assert.Equal("""{"application":"api","kubernetes_namespace":"web"}""", Value(api[0], "AllocatedTags"));
        Assert.Contains("\"CpuAllocationPercent\":62.5", Value(api[0], "AllocatedMethodDetails"));
        Assert.Equal(["eks-1/service/batch"], batch.Select(r => Value(r, "AllocatedResourceId")));
        Assert.Equal("1.5", Value(batch[0], "EffectiveCost"));
    }

    [Fact]
    public void The_rules_catch_a_missing_value_an_unknown_category_and_allocation_columns_on_a_plain_row()
    {
        var row = FocusExportRows.From("acme", Lines[0]).Single();
        row[Focus13Schema.Index["ServiceCategory"]] = "Computing";
        row[Focus13Schema.Index["BillingCurrency"]] = "usd";
        row[Focus13Schema.Index["ChargePeriodEnd"]] = row[Focus13Schema.Index["ChargePeriodStart"]];
        row[Focus13Schema.Index["AllocatedTags"]] = "{}";
        row[Focus13Schema.Index["InvoiceIssuerName"]] = null;

        var error = Assert.Throws<InvalidOperationException>(() => FocusExportRows.Check(row));

        Assert.Contains("field 'ServiceCategory': 'Computing' is not an allowed value", error.Message);
        Assert.Contains("field 'BillingCurrency': 'usd' is not an ISO 4217 currency code", error.Message);
        Assert.Contains("field 'ChargePeriodEnd': is not after ChargePeriodStart", error.Message);
        Assert.Contains("field 'AllocatedTags': must be null when AllocatedMethodId is null", error.Message);
        Assert.Contains("field 'InvoiceIssuerName': must not be null", error.Message);
    }
}
