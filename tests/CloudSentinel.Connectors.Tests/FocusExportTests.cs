using System.Text.Json;
using CloudSentinel.Core;
using Xunit;
using Xunit.Abstractions;

namespace CloudSentinel.Connectors.Tests;

/// <summary>
/// FOCUS 1.3 export rows: every rule of the requirements model that applies holds (split rows included),
/// and the importer reads the file back to the same service × cost type × hour totals.
/// </summary>
public sealed class FocusExportTests(ITestOutputHelper output)
{
    private static readonly DateTime Hour = new(2026, 11, 3, 10, 0, 0, DateTimeKind.Utc);

    private static readonly ServiceCostLine[] Lines =
    [
        new(Hour, "checkout", "compute", "aws", "111", "focus", "", 12.5000000001m) { ProviderService = "Amazon EC2", Region = "us-east-1", SubAccountName = "shop-prod", BilledCurrency = ("EUR", 1.25m) },
        new(Hour, "checkout", "storage", "aws", "", "", "ssd", 0.00000000000037m),
        new(Hour, "search", "network", "gcp", "proj-1", "", "egress", -0.75m),
        new(Hour, "api", "compute", "aws", "", "shared:eks-1", "", 3.000001m, 62.5m, 40m,
            [new PodCost("web", "api-1", 1.000001m, 0.5m), new PodCost("web", "api-2", 2m, 1.25m)]),
        // Pods that do not add up to the bucket: one split row for the service instead.
        new(Hour, "batch", "compute", "aws", "", "shared:eks-1", "", 1.5m, 37.5m, 60m, [new PodCost("jobs", "batch-1", 1.4m, 2m)]),
        new(Hour, "api", "storage", "aws", "", "shared:eks-1", "gp3", 0.25m),
        new(Hour, "api", "network", "aws", "", "shared:eks-1", "", 0.125m),
        new(Hour, "web", "network", "aws", "", "shared:eks-1", "", 0.375m),
        // A refund of the next hour's node cost, shared like the cost: a credit origin.
        new(Hour.AddHours(1), "api", "compute", "aws", "", "shared:eks-1", "", -0.5m),
    ];

    private static IEnumerable<string?[]> Rows() => Lines.GroupBy(l => l.Hour).SelectMany(hour => FocusExportRows.ForHour("acme", hour.ToList()));

    private static async Task<byte[]> ExportAsync(FocusExportFormat format, IEnumerable<string?[]>? rows = null)
    {
        using var output = new MemoryStream();
        await using (var writer = FocusExportWriter.Create(format, output))
        {
            foreach (var row in rows ?? Rows())
            {
                await writer.WriteAsync(row, CancellationToken.None);
            }

            await writer.CompleteAsync(CancellationToken.None);
        }

        return output.ToArray();
    }

    /// <summary>The origin charges, from the buckets (not from the file): the cluster's cost, one hour, the pods' CPU.</summary>
    private static FocusOriginCharge? Origin(IReadOnlyList<string?> key)
    {
        var shares = Lines.Where(l => l.Source == "shared:" + key[0] && FocusExportRows.Time(l.Hour) == key[1]
            && (l.CostType, key[3]) is ("compute", "Compute") or ("storage", "Storage") or ("network", "Networking")
            && l.Breakdown == (key[4] ?? "")).ToList();
        if (shares.Count == 0) return null;
        var cost = shares.Sum(l => l.CostUsd);
        var pods = shares.SelectMany(l => l.Pods ?? []).ToList();
        decimal? consumed = cost < 0 ? null : shares[0].CostType == "compute" && shares.All(l => l.Pods is { Count: > 0 }) ? pods.Sum(p => p.CpuUsageCoreHours) : 1m;
        return new FocusOriginCharge(
            new Dictionary<string, decimal?>
            {
                ["BilledCost"] = cost, ["EffectiveCost"] = cost, ["ListCost"] = cost, ["ContractedCost"] = cost, ["PricingQuantity"] = 1m, ["ConsumedQuantity"] = consumed,
            },
            new Dictionary<string, string> { [FocusExportRows.ClusterTagKey] = key[0]! });
    }

    [Theory]
    [InlineData(FocusExportFormat.Csv)]
    [InlineData(FocusExportFormat.Parquet)]
    public async Task An_export_meets_the_focus_13_requirements_model_and_imports_back_to_the_same_totals(FocusExportFormat format)
    {
        var file = await ExportAsync(format);

        var report = await FocusModelCheck.CheckAsync(new MemoryStream(file), Origin);
        output.WriteLine(report.Summary());
        Assert.Empty(report.Failures);
        Assert.True(report.Checked >= 60, report.Summary());
        // The text of CAU-ConsumedQuantity-C-006-C (its Condition in the model says the opposite): every Usage row has a ConsumedQuantity.
        Assert.All(report.Data.Rows.Where(r => report.Data.Value(r, "ChargeCategory") == "Usage"), r => Assert.NotNull(report.Data.Value(r, "ConsumedQuantity")));

        var imported = await new FocusImporter().ImportAsync(new MemoryStream(file), "copy");
        Assert.Equal((FocusVersion.V1_3, 10L, 0L, 0L), (imported.Version, imported.RowsRead, imported.RowsRejected, imported.RowsSuperseded));
        var expected = Lines.GroupBy(l => (l.ServiceName, l.CostType, l.Hour)).ToDictionary(g => g.Key, g => g.Sum(l => l.CostUsd));
        var actual = imported.Records.GroupBy(r => (r.ServiceName, r.CostType, r.PeriodStart)).ToDictionary(g => g.Key, g => g.Sum(r => r.CostUsd));
        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
        Assert.Equal(["gp3", "ssd"], imported.Records.Where(r => r.CostType == "storage").Select(r => r.StorageType).Order());
        Assert.Equal("egress", imported.Records.Single(r => r.ServiceName == "search").Direction);
        var checkout = report.Data.Rows.Single(r => report.Data.Value(r, "ServiceName") == "Amazon EC2");
        Assert.Equal(("USD", "12.5000000001", "EUR", "10.00000000008"), (report.Data.Value(checkout, "BillingCurrency"), report.Data.Value(checkout, "BilledCost"),
            report.Data.Value(checkout, "x_CloudSentinelBilledCurrency"), report.Data.Value(checkout, "x_CloudSentinelBilledAmount")?.TrimEnd('0')));
        Assert.Equal(("Amazon EC2", "us-east-1"), imported.Records.Where(r => r.ServiceName == "checkout" && r.CostType == "compute").Select(r => (r.ProviderService, r.Region)).Single());
    }

    [Fact]
    public void The_shares_of_a_cluster_charge_are_its_split_rows_and_repeat_the_origin()
    {
        var rows = FocusExportRows.ForHour("acme", Lines.Where(l => l.Hour == Hour).ToList()).ToList();
        string? Value(string?[] row, string column) => row[Focus13Schema.Index[column]];
        var compute = rows.Where(r => Value(r, "AllocatedMethodId") is not null && Value(r, "ServiceCategory") == "Compute").ToList();

        Assert.Equal(["eks-1/web/api-1", "eks-1/web/api-2", "eks-1/service/batch"], compute.Select(r => Value(r, "AllocatedResourceId")));
        Assert.Equal(["1.000001", "2", "1.5"], compute.Select(r => Value(r, "EffectiveCost")));
        Assert.All(compute, r => Assert.Equal(("shared kubernetes cost of cluster eks-1", """{"cloudsentinel/cluster":"eks-1"}""", "eks-1", "Usage"),
            (Value(r, "ChargeDescription"), Value(r, "Tags"), Value(r, "ResourceId"), Value(r, "ChargeCategory"))));
        // The pods' CPU, and the service's pods' CPU for batch, whose pods do not add up to its share.
        Assert.Equal(["0.5", "1.25", "2"], compute.Select(r => Value(r, "ConsumedQuantity")));
        Assert.All(compute, r => Assert.Equal(FocusExportRows.CpuUnit, Value(r, "ConsumedUnit")));
        Assert.Equal("""{"cloudsentinel/application":"api","cloudsentinel/kubernetes-namespace":"web"}""", Value(compute[0], "AllocatedTags"));

        var ratios = compute.Select(r => JsonDocument.Parse(Value(r, "AllocatedMethodDetails")!).RootElement.GetProperty("Elements")[0]).ToList();
        Assert.Equal(1m, ratios.Sum(e => e.GetProperty("AllocatedRatio").GetDecimal()));
        Assert.Equal(62.5m, ratios[0].GetProperty("x_CpuAllocationPercent").GetDecimal());
        Assert.Equal(1m, compute.Sum(r => decimal.Parse(Value(r, "PricingQuantity")!, System.Globalization.CultureInfo.InvariantCulture)));

        var network = rows.Where(r => Value(r, "AllocatedMethodId") is not null && Value(r, "ServiceCategory") == "Networking").ToList();
        Assert.Equal(["0.25", "0.75"], network.Select(r => Value(r, "PricingQuantity")));
        Assert.Equal(["0.25", "0.75"], network.Select(r => Value(r, "ConsumedQuantity")));
    }

    [Fact]
    public void A_credit_origin_splits_into_credits_without_consumption()
    {
        var row = FocusExportRows.ForHour("acme", Lines.Where(l => l.Hour == Hour.AddHours(1)).ToList()).Single();
        string? Value(string column) => row[Focus13Schema.Index[column]];

        Assert.Equal(("Credit", "-0.5", "1", null, null), (Value("ChargeCategory"), Value("BilledCost"), Value("PricingQuantity"), Value("ConsumedQuantity"), Value("ConsumedUnit")));
    }

    [Fact]
    public async Task The_model_check_names_the_rules_a_broken_export_breaks()
    {
        string? Get(string?[] row, string column) => row[Focus13Schema.Index[column]];
        void Set(string?[] row, string column, string? value) => row[Focus13Schema.Index[column]] = value;
        var rows = Rows().ToList();
        var pods = rows.Where(r => Get(r, "AllocatedResourceId") is { } id && id.StartsWith("eks-1/web/", StringComparison.Ordinal)).ToList();
        Set(pods[0], "ChargeDescription", "the api pod's share");
        Set(pods[0], "Tags", null);
        Set(pods[0], "AllocatedMethodDetails", """{"Elements":[{"AllocatedRatio":0.9,"CpuPercent":62.5}]}""");
        Set(pods[1], "PricingQuantity", "1");
        var own = rows.First(r => Get(r, "AllocatedMethodId") is null && Get(r, "ChargeCategory") == "Usage");
        Set(own, "ConsumedQuantity", "1,5");
        var credit = rows.First(r => Get(r, "ChargeCategory") == "Credit");
        Set(credit, "ConsumedQuantity", "1");

        var report = await FocusModelCheck.CheckAsync(new MemoryStream(await ExportAsync(FocusExportFormat.Csv, rows)), Origin);
        output.WriteLine(report.Summary());

        // The rules themselves; the composites that include them fail with them.
        Assert.Equal(
        [
            "CAU-AllocatedMethodDetailsObject-O-009-C", "CAU-AllocatedMethodDetailsObject-O-014-M",
            "CAU-ConsumedQuantity-C-001-M", "CAU-ConsumedQuantity-C-002-M", "CAU-ConsumedQuantity-C-004-C", "CAU-ConsumedQuantity-C-008-C",
            "DataGeneratorCalculatedSplitCostAllocationHandling-A-003-M", "DataGeneratorCalculatedSplitCostAllocationHandling-A-004-M",
            "DataGeneratorCalculatedSplitCostAllocationHandling-A-005-M", "DataGeneratorCalculatedSplitCostAllocationHandling-A-006-M",
            "Focus13Schema:ConsumedQuantity",
        ], report.Failures.Where(f => f.Rule.Function != "Composite").Select(f => f.Rule.Id).Order(StringComparer.Ordinal));
        Assert.Contains("parts differ in ChargeDescription, Tags", report.Failures.Single(f => f.Rule.Id.EndsWith("A-004-M", StringComparison.Ordinal)).Detail);
        Assert.Contains("PricingQuantity of the parts sums to", report.Failures.Single(f => f.Rule.Id.EndsWith("A-003-M", StringComparison.Ordinal)).Detail);
    }

    [Fact]
    public void A_dataset_without_the_deprecated_provider_columns_breaks_their_presence_rules()
    {
        var columns = Focus13Schema.Columns.Select(c => c.Name).Where(c => c is not ("ProviderName" or "PublisherName")).ToList();
        var evaluator = new FocusRuleEvaluator(FocusModelCheck.Rules, new FocusEvaluationOptions { SupportedFeatures = FocusExportMetadata.SupportedFeatures });

        var results = evaluator.Evaluate(new FocusDataset(columns, []));

        Assert.Equal(["CAU-CostAndUsage-D-021-M", "CAU-CostAndUsage-D-038-M"],
            results.Where(r => r.Outcome == FocusRuleOutcome.Failed && r.Rule.Keyword == "MUST" && r.Rule.Id.StartsWith("CAU-CostAndUsage", StringComparison.Ordinal)).Select(r => r.Rule.Id));
        Assert.Equal(FocusRuleOutcome.NotApplicable, results.Single(r => r.Rule.Id == "CAU-CostAndUsage-D-013-C").Outcome);
    }

    [Fact]
    public void The_row_rules_catch_a_missing_value_an_unknown_category_and_allocation_columns_on_a_plain_row()
    {
        var row = FocusExportRows.ForHour("acme", [Lines[0]]).Single();
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

    [Theory]
    [InlineData(new[] { 1.0, 1.0, 1.0 }, new[] { "0.333333333333333334", "0.333333333333333333", "0.333333333333333333" })]
    [InlineData(new[] { 1.0, -1.0 }, new[] { "0.5", "0.5" })]
    [InlineData(new[] { 2.5, 7.5 }, new[] { "0.25", "0.75" })]
    public void Allocation_ratios_sum_to_exactly_one(double[] amounts, string[] expected)
    {
        var ratios = AllocationRatios.Of(amounts.Select(a => (decimal)a).ToList());

        Assert.Equal(expected, ratios.Select(r => r.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(1m, ratios.Sum());
    }
}
