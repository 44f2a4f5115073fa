using System.Text;
using Xunit;

namespace CloudSentinel.Connectors.Tests;

/// <summary>FOCUS 1.3: version from the header, the two provider columns, split cost allocation counted once, ContractApplied kept.</summary>
public sealed class Focus13ImportTests
{
    private static Dictionary<string, string?> Row13(params (string Column, string? Value)[] values)
    {
        var row = FocusFiles.Row(values);
        row.Remove("ProviderName");
        row.Remove("PublisherName");
        row.TryAdd("ServiceProviderName", "Amazon Web Services");
        row.TryAdd("HostProviderName", "Amazon Web Services");
        foreach (var (column, value) in values) row[column] = value;
        return row;
    }

    /// <summary>
    /// An EKS cluster's node charge of 10.00 (origin, resource cluster-1) and its three split rows
    /// 6.00 + 3.00 + 1.00 to api, web and the cluster's idle capacity; a plain charge of 2.50; a
    /// Datadog charge hosted on AWS.
    /// </summary>
    private static Dictionary<string, string?>[] SplitRows(bool withOrigin)
    {
        (string, string?) Cluster = ("ResourceId", "arn:aws:eks:cluster-1");
        Dictionary<string, string?> Part(string owner, string cost) => Row13(Cluster, ("ServiceName", "Amazon EKS"), ("EffectiveCost", cost), ("BilledCost", cost),
            ("Tags", """{"team":"platform"}"""), ("AllocatedMethodId", "eks-split-v1"), ("AllocatedMethodDetails", """{"Elements":[{"AllocatedRatio":0.6}]}"""),
            ("AllocatedResourceId", $"pod/{owner}"), ("AllocatedResourceName", owner), ("AllocatedTags", $$"""{"team":"platform","application":"{{owner}}"}"""));
        var rows = new List<Dictionary<string, string?>>
        {
            Part("api", "6.00"),
            Row13(("Tags", """{"application":"web"}"""), ("EffectiveCost", "2.50"), ("BilledCost", "2.50"), ("ContractApplied", """{"Elements":[{"ContractId":"c-1"}]}"""),
                ("ChargePeriodStart", "2024-03-01T01:00:00Z"), ("ChargePeriodEnd", "2024-03-01T02:00:00Z")),
        };
        if (withOrigin) rows.Add(Row13(Cluster, ("ServiceName", "Amazon EKS"), ("EffectiveCost", "10.00"), ("BilledCost", "10.00"), ("Tags", """{"team":"platform"}""")));
        rows.Add(Part("web", "3.00"));
        rows.Add(Part("idle-capacity", "1.00"));
        rows.Add(Row13(("ServiceProviderName", "Datadog"), ("HostProviderName", "AWS"), ("ServiceCategory", "Management and Governance"), ("ServiceName", "Datadog APM"),
            ("Tags", """{"application":"web"}"""), ("EffectiveCost", "0.40"), ("BilledCost", "0.40")));
        return [.. rows];
    }

    private static async Task<FocusImportResult> ImportAsync(byte[] file) => await new FocusImporter().ImportAsync(new MemoryStream(file), "acme");

    private static Dictionary<string, decimal> ByService(FocusImportResult result) =>
        result.Records.GroupBy(r => r.ServiceName).ToDictionary(g => g.Key, g => g.Sum(r => r.CostUsd));

    [Fact]
    public async Task A_focus_13_file_is_recognised_by_ServiceProviderName_and_its_split_rows_count_once()
    {
        var result = await ImportAsync(Encoding.UTF8.GetBytes(FocusFiles.Csv(FocusFiles.V13, SplitRows(withOrigin: true))));

        Assert.Equal(FocusVersion.V1_3, result.Version);
        Assert.Equal((6L, 0L, 1L, 5L), (result.RowsRead, result.RowsRejected, result.RowsSuperseded, result.RowsLoaded));
        Assert.Equal(new Dictionary<string, decimal> { ["api"] = 6.00m, ["web"] = 5.90m, ["idle-capacity"] = 1.00m }, ByService(result));
        Assert.Equal(12.90m, result.Records.Sum(r => r.CostUsd));
        Assert.Equal(12.90m, result.CostUsdByProvider["aws"]);
        Assert.StartsWith("FOCUS 1.3: 5 records from 5 of 6 rows; aws 12.90 USD", result.Summary());
        Assert.Contains("1 origin rows left out: their split cost allocation rows count instead", result.Summary());
    }

    [Fact]
    public async Task Split_rows_without_their_origin_give_the_same_records_in_csv_gzip_and_parquet()
    {
        var withOrigin = await ImportAsync(Encoding.UTF8.GetBytes(FocusFiles.Csv(FocusFiles.V13, SplitRows(withOrigin: true))));
        var csv = await ImportAsync(Encoding.UTF8.GetBytes(FocusFiles.Csv(FocusFiles.V13, SplitRows(withOrigin: false))));
        var gzip = await ImportAsync(FocusFiles.Gzip(FocusFiles.Csv(FocusFiles.V13, SplitRows(withOrigin: true))));
        var parquet = await ImportAsync(await FocusFiles.ParquetAsync(FocusFiles.V13, SplitRows(withOrigin: true)));

        Assert.Equal(0, csv.RowsSuperseded);
        Assert.Equal(RecordText.Of(withOrigin.Records), RecordText.Of(csv.Records));
        Assert.Equal(RecordText.Of(withOrigin.Records), RecordText.Of(gzip.Records));
        Assert.Equal(RecordText.Of(withOrigin.Records), RecordText.Of(parquet.Records));
        Assert.Equal(FocusVersion.V1_3, parquet.Version);
    }

    [Fact]
    public async Task The_host_provider_names_the_cloud_and_ContractApplied_is_kept_in_the_record()
    {
        var result = await ImportAsync(Encoding.UTF8.GetBytes(FocusFiles.Csv(FocusFiles.V13, SplitRows(withOrigin: false))));

        var datadog = result.Records.Single(r => r.ProviderService == "Datadog APM");
        Assert.Equal(("aws", "other", 0.40m), (datadog.Provider, datadog.CostType, datadog.CostUsd));
        var contracted = result.Records.Single(r => r.ServiceName == "web" && r.PeriodStart.Hour == 1);
        Assert.Equal("""{"Elements":[{"ContractId":"c-1"}]}""", contracted.ContractApplied);
    }

    [Fact]
    public async Task A_focus_13_file_without_ServiceProviderName_columns_is_read_as_1_2_and_one_without_a_provider_fails_at_its_header()
    {
        var header = FocusFiles.V13.Where(c => c != "HostProviderName").ToArray();
        var noHost = await ImportAsync(Encoding.UTF8.GetBytes(FocusFiles.Csv(header, [Row13()])));
        Assert.Equal(("aws", FocusVersion.V1_3), (noHost.Records.Single().Provider, noHost.Version));

        var neither = FocusFiles.V13.Where(c => c is not ("ServiceProviderName" or "HostProviderName")).ToArray();
        var error = await Assert.ThrowsAsync<FocusFileException>(() => ImportAsync(Encoding.UTF8.GetBytes(FocusFiles.Csv(neither, [Row13()]))));
        Assert.Equal("line 1: mandatory FOCUS 1.0-1.2 column(s) missing from the header: ProviderName", error.Message);
    }

    [Fact]
    public async Task Malformed_focus_13_json_columns_reject_the_row_with_line_and_column()
    {
        var rows = new object[]
        {
            Row13(("AllocatedMethodId", "m"), ("ResourceId", "r-1"), ("AllocatedTags", "[1]")),
            Row13(("ContractApplied", "{not json")),
            Row13(("AllocatedMethodId", "m"), ("AllocatedMethodDetails", "{")),
        };

        var result = await ImportAsync(Encoding.UTF8.GetBytes(FocusFiles.Csv(FocusFiles.V13, rows)));

        Assert.Equal(3, result.RowsRejected);
        Assert.Equal([(2L, "AllocatedTags"), (3L, "ContractApplied"), (4L, "AllocatedMethodDetails")], result.Errors.Select(e => (e.Record, e.Field)));
        Assert.Contains("not valid JSON", result.Errors[1].Reason);
    }
}
