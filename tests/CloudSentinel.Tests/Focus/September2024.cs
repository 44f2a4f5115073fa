using System.Globalization;
using System.Text;

namespace CloudSentinel.Tests.Focus;

/// <summary>
/// A small FOCUS 1.0 export shaped like the FinOps Foundation's published sample (all FOCUS 1.0
/// mandatory columns, AWS, Azure and GCP, hourly and daily charge periods, a credit, amounts with ten
/// decimals), dated in September 2024, written here row by row. It proves that history of that age
/// loads at default settings.
/// </summary>
public static class September2024
{
    private const string Header = "AvailabilityZone,BilledCost,BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodEnd,BillingPeriodStart,"
        + "ChargeCategory,ChargeClass,ChargeDescription,ChargeFrequency,ChargePeriodEnd,ChargePeriodStart,CommitmentDiscountCategory,CommitmentDiscountId,"
        + "CommitmentDiscountName,CommitmentDiscountStatus,CommitmentDiscountType,ConsumedQuantity,ConsumedUnit,ContractedCost,ContractedUnitPrice,"
        + "EffectiveCost,InvoiceIssuerName,ListCost,ListUnitPrice,PricingCategory,PricingQuantity,PricingUnit,ProviderName,PublisherName,RegionId,RegionName,"
        + "ResourceId,ResourceName,ResourceType,ServiceCategory,ServiceName,SkuId,SkuPriceId,SubAccountId,SubAccountName,Tags";

    private static readonly (string Provider, string Category, string Product, string Service, string Cost, int Day, int? Hour, string Charge)[] Charges =
    [
        ("AWS", "Compute", "Amazon EC2", "checkout", "0.4160000000", 1, 0, "Usage"),
        ("AWS", "Compute", "Amazon EC2", "checkout", "0.4160000000", 1, 1, "Usage"),
        ("AWS", "Storage", "Amazon S3", "checkout", "2.3041666667", 1, null, "Usage"),
        ("Microsoft", "Databases", "Azure SQL Database", "billing", "13.4400000000", 2, null, "Usage"),
        ("Microsoft", "Databases", "Azure SQL Database", "billing", "-1.3440000000", 2, null, "Credit"),
        ("Google Cloud", "Networking", "Cloud Load Balancing", "search", "0.0250000001", 3, 7, "Usage"),
        ("Google Cloud", "Compute", "Compute Engine", "search", "0.0000003700", 3, null, "Usage"),
    ];

    public static long Rows => Charges.Length;

    public static IReadOnlyDictionary<string, decimal> TotalsByService =>
        Charges.GroupBy(c => c.Service).ToDictionary(g => g.Key, g => g.Sum(c => decimal.Parse(c.Cost, CultureInfo.InvariantCulture)));

    private static string Ts(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Csv()
    {
        var text = new StringBuilder(Header).Append("\r\n");
        foreach (var c in Charges)
        {
            var start = new DateTime(2024, 9, c.Day, c.Hour ?? 0, 0, 0, DateTimeKind.Utc);
            var end = c.Hour is null ? start.AddDays(1) : start.AddHours(1);
            var tags = $"\"{{\"\"application\"\":\"\"{c.Service}\"\",\"\"env\"\":\"\"prod\"\"}}\"";
            text.Append(string.Join(",",
                "", c.Cost, "ba-100", "Sample Org", "USD", "2024-10-01T00:00:00Z", "2024-09-01T00:00:00Z",
                c.Charge, "", $"{c.Product} {c.Category}", c.Charge == "Credit" ? "One-Time" : "Usage-Based", Ts(end), Ts(start), "", "",
                "", "", "", c.Charge == "Credit" ? "" : "1", c.Charge == "Credit" ? "" : "Hours", c.Cost, "",
                c.Cost, c.Provider, c.Cost, "", "Standard", "1", "Hours", c.Provider, c.Provider, "region-1", "Region One",
                $"res-{c.Service}-{c.Category}", $"{c.Service} {c.Category}", c.Category, c.Category, c.Product, "sku-1", "price-1", $"sub-{c.Service}", c.Service, tags));
            text.Append("\r\n");
        }

        return text.ToString();
    }
}
