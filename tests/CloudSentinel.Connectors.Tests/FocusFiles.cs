using System.Globalization;
using System.IO.Compression;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace CloudSentinel.Connectors.Tests;

/// <summary>Writes FOCUS files from the specification's column sets, as CSV, gzip CSV and Parquet.</summary>
internal static class FocusFiles
{
    /// <summary>FOCUS 1.0 mandatory columns plus the conditional ones the mapping reads.</summary>
    public static readonly string[] V10 =
    [
        "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
        "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
        "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost", "PricingQuantity", "PricingUnit", "ProviderName",
        "PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName", "ServiceCategory", "ServiceName", "SkuId",
        "SubAccountId", "SubAccountName", "Tags",
    ];

    public static readonly string[] V11 = [.. V10, "ServiceSubcategory", "CommitmentDiscountQuantity", "SkuMeter", "CapacityReservationId", "x_ProviderExtra"];

    public static readonly string[] V12 = [.. V11, "InvoiceId", "PricingCurrency", "PricingCurrencyEffectiveCost", "BillingAccountType", "SubAccountType"];

    /// <summary>FOCUS 1.3: the 1.2 columns with ServiceProviderName and HostProviderName instead of ProviderName and PublisherName, plus split cost allocation and ContractApplied.</summary>
    public static readonly string[] V13 =
    [
        .. V12.Where(c => c is not ("ProviderName" or "PublisherName")), "ServiceProviderName", "HostProviderName",
        "AllocatedMethodId", "AllocatedMethodDetails", "AllocatedResourceId", "AllocatedResourceName", "AllocatedTags", "ContractApplied",
    ];

    private static readonly HashSet<string> Timestamps = ["BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd", "ChargePeriodStart"];
    private static readonly HashSet<string> Decimals = ["BilledCost", "ContractedCost", "EffectiveCost", "ListCost", "PricingQuantity", "CommitmentDiscountQuantity", "PricingCurrencyEffectiveCost"];

    public static Dictionary<string, string?> Row(params (string Column, string? Value)[] values)
    {
        var row = new Dictionary<string, string?>
        {
            ["BilledCost"] = "1", ["BillingAccountId"] = "BA-1", ["BillingAccountName"] = "Main", ["BillingCurrency"] = "USD",
            ["BillingPeriodStart"] = "2024-03-01T00:00:00Z", ["BillingPeriodEnd"] = "2024-04-01T00:00:00Z",
            ["ChargeCategory"] = "Usage", ["ChargeClass"] = null, ["ChargeDescription"] = "usage", ["ChargeFrequency"] = "Usage-Based",
            ["ChargePeriodStart"] = "2024-03-01T00:00:00Z", ["ChargePeriodEnd"] = "2024-03-01T01:00:00Z",
            ["ContractedCost"] = "1", ["EffectiveCost"] = "1", ["InvoiceIssuerName"] = "Issuer", ["ListCost"] = "1",
            ["PricingQuantity"] = "1", ["PricingUnit"] = "Hours", ["ProviderName"] = "AWS", ["PublisherName"] = "AWS",
            ["RegionId"] = "us-east-1", ["RegionName"] = "US East", ["ResourceId"] = null, ["ResourceName"] = null,
            ["ServiceCategory"] = "Compute", ["ServiceName"] = "Amazon EC2", ["SkuId"] = "sku-1", ["SubAccountId"] = "111",
            ["SubAccountName"] = "prod", ["Tags"] = "{}",
        };
        foreach (var (column, value) in values) row[column] = value;
        return row;
    }

    /// <summary>Rows are dictionaries, or raw text written as one line as it stands (for broken rows).</summary>
    public static string Csv(string[] header, IEnumerable<object> rows)
    {
        var text = new StringBuilder();
        text.Append(string.Join(",", header)).Append("\r\n");
        foreach (var row in rows)
        {
            text.Append(row is string raw ? raw : string.Join(",", header.Select(c => Quote(((Dictionary<string, string?>)row).GetValueOrDefault(c)))));
            text.Append("\r\n");
        }

        return text.ToString();
    }

    public static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(Encoding.UTF8.GetBytes(text));
        return output.ToArray();
    }

    /// <summary>Typed like real exports: timestamps as timestamps, amounts as decimals, the rest as strings.</summary>
    public static async Task<byte[]> ParquetAsync(string[] header, IReadOnlyList<Dictionary<string, string?>> rows)
    {
        var fields = header.Select(c => Timestamps.Contains(c) ? new DataField<DateTime?>(c)
            : Decimals.Contains(c) ? new DataField<decimal?>(c) : (DataField)new DataField<string>(c)).ToArray();
        using var output = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), output))
        {
            using var group = writer.CreateRowGroup();
            foreach (var field in fields)
            {
                var values = rows.Select(r => Value(r.GetValueOrDefault(field.Name))).ToArray();
                if (field.ClrType == typeof(DateTime))
                {
                    await group.WriteAsync(field, (ReadOnlyMemory<DateTime?>)values.Select(v => v is null ? (DateTime?)null : DateTime.Parse(v, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal)).ToArray());
                }
                else if (field.ClrType == typeof(decimal))
                {
                    await group.WriteAsync(field, (ReadOnlyMemory<decimal?>)values.Select(v => v is null ? (decimal?)null : decimal.Parse(v, CultureInfo.InvariantCulture)).ToArray());
                }
                else
                {
                    await group.WriteAsync(field, (IReadOnlyCollection<string>)values.Select(v => v!).ToArray(), null);
                }
            }
        }

        return output.ToArray();
    }

    private static string? Value(string? text) => text is null || text.Equals("NULL", StringComparison.Ordinal) ? null : text;

    private static string Quote(string? value)
    {
        if (value is null) return "";
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 || value != value.Trim() ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
