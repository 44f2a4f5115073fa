using System.Text;
using CloudSentinel.Core;
using CloudSentinel.Ingestion;
using Xunit;

namespace CloudSentinel.Connectors.Tests;

public sealed class FocusImporterTests
{
    private static readonly FocusImportOptions Options = new() { UsdRates = new Dictionary<string, decimal> { ["EUR"] = 1.10m } };

    /// <summary>Good rows covering every quirk of real exports; their sums are the expected records below.</summary>
    private static readonly Dictionary<string, string?>[] QuirkRows =
    [
        // Padded, oddly cased tag key; lower-case enumeration value.
        FocusFiles.Row(("ProviderName", "Amazon Web Services"), ("Tags", """{" Application ":"web","env":"prod"}"""), ("EffectiveCost", "1.25"), ("BilledCost", "1.50"), ("ChargeCategory", "usage"), ("ResourceId", "i-1")),
        // Same bucket; a description with a comma, doubled quotes and a line break.
        FocusFiles.Row(("ProviderName", "Amazon Web Services"), ("Tags", """{"application":"web","env":"prod"}"""), ("EffectiveCost", "0.75"), ("BilledCost", "0.80"), ("ChargeCategory", "USAGE"), ("ResourceId", "i-2"),
            ("ChargeDescription", "Line one, \"quoted\"\nline two")),
        // A credit correction: negative and kept.
        FocusFiles.Row(("ProviderName", "Amazon Web Services"), ("Tags", """{"application":"web"}"""), ("EffectiveCost", "-0.50"), ("BilledCost", "-0.50"), ("ChargeCategory", "Credit"), ("ChargeClass", "Correction")),
        // A daily charge period, lower-case category.
        FocusFiles.Row(("ProviderName", "Microsoft"), ("ServiceCategory", "storage"), ("ServiceName", "Storage Accounts"), ("Tags", """{"APP":"api"}"""), ("EffectiveCost", "24.00"), ("BilledCost", "24.00"),
            ("SubAccountId", "sub-9"), ("ChargePeriodEnd", "2024-03-02T00:00:00Z")),
        // Literal NULLs, a non-USD currency, no sub-account.
        FocusFiles.Row(("ProviderName", "Google Cloud"), ("ServiceCategory", "Networking"), ("ServiceName", "Networking"), ("Tags", "NULL"), ("RegionId", "NULL"), ("BillingCurrency", "EUR"),
            ("EffectiveCost", "3.00"), ("BilledCost", "3.00"), ("SubAccountId", null), ("ChargePeriodStart", "2024-03-01T01:00:00Z"), ("ChargePeriodEnd", "2024-03-01T02:00:00Z")),
        // "app" comes before "service" in the key list.
        FocusFiles.Row(("ProviderName", "Oracle"), ("ServiceCategory", "Databases"), ("ServiceName", "Autonomous Database"), ("ChargeCategory", "Tax"), ("Tags", """{"service":"db","App":"shop"}"""),
            ("EffectiveCost", "0.10"), ("BilledCost", "0.10")),
        FocusFiles.Row(("ProviderName", "Amazon Web Services"), ("Tags", """{"application":"web"}"""), ("EffectiveCost", "0.05"), ("BilledCost", "0.05"), ("ChargeCategory", "Adjustment")),
        FocusFiles.Row(("ProviderName", "Acme Cloud"), ("ServiceCategory", "AI and Machine Learning"), ("ServiceName", "Acme AI"), ("Tags", null), ("ChargeCategory", "Purchase"),
            ("EffectiveCost", "2"), ("BilledCost", "2.40"), ("ChargePeriodStart", "2024-03-01T02:00:00Z"), ("ChargePeriodEnd", "2024-03-01T03:00:00Z")),
    ];

    private static readonly Dictionary<string, string?> LateGoodRow =
        FocusFiles.Row(("ProviderName", "Google Cloud"), ("ServiceName", "Compute Engine"), ("Tags", """{"application":"web"}"""), ("SubAccountId", "proj-a"), ("RegionId", "europe-west1"),
            ("EffectiveCost", "0.30"), ("BilledCost", "0.30"), ("ChargePeriodStart", "2024-03-01T01:00:00Z"), ("ChargePeriodEnd", "2024-03-01T02:00:00Z"));

    private static readonly string[] ExpectedRecords =
    [
        "acme | shop | oci | 111 | database | 2024-03-01T00..2024-03-01T01 | 0.1 | focus | Autonomous Database | App=shop,service=db",
        "acme | web | aws | 111 | compute | 2024-03-01T00..2024-03-01T01 | 1.55 | focus | Amazon EC2 | -",
        "acme | api | azure | sub-9 | storage | 2024-03-01T00..2024-03-02T00 | 24 | focus | Storage Accounts | APP=api",
        "acme | untagged | gcp | BA-1 | network | 2024-03-01T01..2024-03-01T02 | 3.3 | focus | Networking | -",
        "acme | web | gcp | proj-a | compute | 2024-03-01T01..2024-03-01T02 | 0.3 | focus | Compute Engine | application=web",
        "acme | untagged | other | 111 | other | 2024-03-01T02..2024-03-01T03 | 2 | focus | Acme AI | -",
    ];

    private static object[] CsvRows() =>
    [
        .. QuirkRows,
        FocusFiles.Row(("EffectiveCost", "abc")),
        FocusFiles.Row(("ChargePeriodStart", "2024-03-01T03:00:00Z"), ("ChargePeriodEnd", "2024-03-01T02:00:00Z")),
        FocusFiles.Row(("BillingCurrency", "JPY")),
        "1,2,3",
        FocusFiles.Row(("ChargeCategory", "Refund")),
        FocusFiles.Row(("Tags", "{not json")),
        LateGoodRow,
    ];

    private static async Task<FocusImportResult> ImportAsync(byte[] file, FocusImportOptions? options = null) =>
        await new FocusImporter(options ?? Options).ImportAsync(new MemoryStream(file), "acme");

    [Fact]
    public async Task Csv_with_every_quirk_gives_exact_records_and_reports_bad_rows_by_line()
    {
        var result = await ImportAsync(Encoding.UTF8.GetBytes(FocusFiles.Csv(FocusFiles.V12, CsvRows())));

        Assert.Equal(ExpectedRecords, RecordText.Of(result.Records));
        Assert.Equal(15, result.RowsRead);
        Assert.Equal(6, result.RowsRejected);
        // The description's line break puts every row after the second one line further down.
        Assert.Equal(
        [
            "record 11: field 'EffectiveCost': 'abc' is not a number",
            "record 12: field 'ChargePeriodEnd': 2024-03-01T02:00:00.0000000Z is not after ChargePeriodStart 2024-03-01T03:00:00.0000000Z",
            "record 13: field 'BillingCurrency': currency 'JPY' has no USD rate configured (add it to UsdRates, in USD per 1 JPY)",
            $"record 14: field '(row)': has 3 fields but the header has {FocusFiles.V12.Length}",
            "record 15: field 'ChargeCategory': 'Refund' is not one of Usage, Purchase, Tax, Credit, Adjustment",
        ], result.Errors.Take(5).Select(e => e.ToString()));
        Assert.StartsWith("record 16: field 'Tags': is not valid JSON", result.Errors[5].ToString());
        Assert.Equal(new Dictionary<string, decimal> { ["aws"] = 1.55m, ["azure"] = 24.00m, ["gcp"] = 3.60m, ["oci"] = 0.10m, ["other"] = 2m }, result.CostUsdByProvider);
    }

    [Fact]
    public async Task Totals_per_service_and_hour_are_exact()
    {
        var result = await ImportAsync(Encoding.UTF8.GetBytes(FocusFiles.Csv(FocusFiles.V10, [.. QuirkRows, LateGoodRow])));

        var hours = PerServiceHour(result.Records);
        Assert.Equal(1.55m, hours[("web", 0)]);
        Assert.Equal(0.30m, hours[("web", 1)]);
        Assert.Equal(0.10m, hours[("shop", 0)]);
        Assert.Equal(3.30m, hours[("untagged", 1)]);
        Assert.Equal(2m, hours[("untagged", 2)]);
        Assert.All(Enumerable.Range(0, 24), h => Assert.Equal(1.00m, hours[("api", h)]));
        Assert.Equal(5 + 24, hours.Count);
        Assert.Equal(31.25m, hours.Values.Sum());
    }

    private static Dictionary<(string Service, int Hour), decimal> PerServiceHour(IEnumerable<CostRecord> records)
    {
        var buckets = new BucketAggregator();
        foreach (var record in records) buckets.Add(record);
        var hours = new Dictionary<(string, int), decimal>();
        foreach (var batch in buckets.Batches())
        {
            foreach (var update in batch.Updates)
            {
                var key = (batch.ServiceName, update.Key.Hour.Hour);
                hours[key] = hours.GetValueOrDefault(key) + update.Amount.CostUsd;
            }
        }

        return hours;
    }

    [Fact]
    public async Task Gzip_csv_is_recognised_by_its_magic_bytes()
    {
        var result = await ImportAsync(FocusFiles.Gzip(FocusFiles.Csv(FocusFiles.V11, CsvRows())));

        Assert.Equal(ExpectedRecords, RecordText.Of(result.Records));
        Assert.Equal(6, result.RowsRejected);
    }

    [Fact]
    public async Task A_truncated_gzip_file_is_refused_whole_not_loaded_up_to_the_cut()
    {
        var whole = FocusFiles.Gzip(FocusFiles.Csv(FocusFiles.V11, CsvRows()));

        var cut = await Assert.ThrowsAsync<FocusFileException>(() => ImportAsync(whole[..^20]));
        Assert.Contains("gzip", cut.Reason);
        var noTrailer = await Assert.ThrowsAsync<FocusFileException>(() => ImportAsync(whole[..^8]));
        Assert.Contains("truncated", noTrailer.Reason);
        var flipped = (byte[])whole.Clone();
        flipped[^6] ^= 0xFF;
        Assert.Contains("gzip", (await Assert.ThrowsAsync<FocusFileException>(() => ImportAsync(flipped))).Reason);
    }

    [Fact]
    public async Task Parquet_gives_the_same_records_and_reports_bad_rows_by_row_number()
    {
        Dictionary<string, string?>[] rows =
        [
            .. QuirkRows,
            FocusFiles.Row(("ChargePeriodStart", "2024-03-01T03:00:00Z"), ("ChargePeriodEnd", "2024-03-01T02:00:00Z")),
            FocusFiles.Row(("BillingCurrency", "JPY")),
            LateGoodRow,
        ];

        var result = await ImportAsync(await FocusFiles.ParquetAsync(FocusFiles.V10, rows));

        Assert.Equal(ExpectedRecords, RecordText.Of(result.Records));
        Assert.Equal(["record 9: field 'ChargePeriodEnd'", "record 10: field 'BillingCurrency'"], result.Errors.Select(e => $"record {e.Record}: field '{e.Field}'"));
    }

    [Fact]
    public async Task Parquet_from_a_stream_that_cannot_seek_is_spooled()
    {
        var file = await FocusFiles.ParquetAsync(FocusFiles.V12, [.. QuirkRows, LateGoodRow]);

        var result = await new FocusImporter(Options).ImportAsync(new ForwardOnlyStream(file), "acme");

        Assert.Equal(ExpectedRecords, RecordText.Of(result.Records));
    }

    [Fact]
    public async Task BilledCost_can_be_chosen_instead_of_EffectiveCost()
    {
        var result = await ImportAsync(Encoding.UTF8.GetBytes(FocusFiles.Csv(FocusFiles.V12, [.. QuirkRows, LateGoodRow])), Options with { CostColumn = FocusCostColumn.BilledCost });

        Assert.Equal(1.85m, result.Records.Single(r => r.ServiceName == "web" && r.Provider == "aws").CostUsd);
        Assert.Equal(2.40m, result.Records.Single(r => r.Provider == "other").CostUsd);
    }

    [Fact]
    public async Task Service_tag_keys_are_configurable()
    {
        var file = FocusFiles.Csv(FocusFiles.V10, [FocusFiles.Row(("Tags", """{"team":"payments","application":"web"}"""))]);

        var result = await ImportAsync(Encoding.UTF8.GetBytes(file), Options with { ServiceTagKeys = ["Team"] });

        Assert.Equal("payments", Assert.Single(result.Records).ServiceName);
    }

    [Fact]
    public async Task A_missing_mandatory_column_fails_the_whole_file_at_its_header()
    {
        var header = FocusFiles.V10.Where(c => c is not "EffectiveCost" and not "BillingCurrency").ToArray();

        var error = await Assert.ThrowsAsync<FocusFileException>(() => ImportAsync(Encoding.UTF8.GetBytes(FocusFiles.Csv(header, [FocusFiles.Row()])), Options));

        Assert.Equal(1, error.Line);
        Assert.Equal("line 1: mandatory FOCUS 1.0-1.2 column(s) missing from the header: BillingCurrency, EffectiveCost", error.Message);
    }

    [Fact]
    public async Task An_unclosed_quote_fails_the_whole_file_at_the_row_where_it_opens()
    {
        var file = FocusFiles.Csv(FocusFiles.V10, [FocusFiles.Row(), "1,\"open"]);

        var error = await Assert.ThrowsAsync<FocusFileException>(() => ImportAsync(Encoding.UTF8.GetBytes(file)));

        Assert.Equal(3, error.Line);
    }

    [Fact]
    public async Task Importing_the_same_file_twice_gives_the_same_records()
    {
        var file = Encoding.UTF8.GetBytes(FocusFiles.Csv(FocusFiles.V12, CsvRows()));

        var first = await ImportAsync(file);
        var second = await ImportAsync(file);

        Assert.Equal(RecordText.Of(first.Records), RecordText.Of(second.Records));
    }

    [Fact]
    public async Task The_summary_lists_records_costs_per_provider_and_rejected_rows()
    {
        var result = await ImportAsync(Encoding.UTF8.GetBytes(FocusFiles.Csv(FocusFiles.V12, CsvRows())), Options with { MaxReportedErrors = 1 });

        Assert.Equal(
            "FOCUS 1.0-1.2: 6 records from 9 of 15 rows; aws 1.55 USD; azure 24.00 USD; gcp 3.60 USD; oci 0.10 USD; other 2.00 USD\n"
            + "6 rows rejected (first 1 errors listed):\n"
            + "  line 11: EffectiveCost: 'abc' is not a number\n",
            result.Summary().ReplaceLineEndings("\n"));
    }

    /// <summary>A network body: readable once, front to back.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
