using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace CloudSentinel.Tests.Focus;

/// <summary>
/// A small FOCUS 1.0 export written from the specification, dated relative to now so that its hours are
/// recent, with the expected results of importing it. Line numbers count the header as line 1.
/// </summary>
public static class FocusExport
{
    public static readonly DateTime CurrentHour = DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour);

    /// <summary>The checkout hour: latest ended hour of the checkout service.</summary>
    public static readonly DateTime H = CurrentHour.AddHours(-4);

    /// <summary>A whole day charged in one row to the search service.</summary>
    public static readonly DateTime Day = CurrentHour.Date.AddDays(-3);

    private const string Header = "ChargePeriodStart,ChargePeriodEnd,BillingCurrency,BillingAccountId,SubAccountId,ProviderName,ServiceCategory,ServiceName,ChargeCategory,EffectiveCost,BilledCost,Tags";

    private static string Ts(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Row(DateTime start, DateTime end, string provider, string category, string service, string charge, string cost, string tags, string account = "111") =>
        $"{Ts(start)},{Ts(end)},USD,BA-1,{account},{provider},{category},{service},{charge},{cost},{cost},{tags}";

    /// <summary>
    /// checkout: compute 10.00 + 2.50 (two rows, tag keys cased and padded differently) and storage 3.00 in hour H, on AWS;
    /// search: 24.00 for a whole day of Cloud SQL on GCP (1.00 an hour);
    /// untagged: 1.25 usage and a 0.75 credit of Azure bandwidth in hour H+1;
    /// line 8 has an unparseable amount, line 9 ends before it starts, line 10 is 1,131 days old (past the default Ingest:MaxAge).
    /// </summary>
    public static string Csv() => string.Join("\r\n",
        Header,
        Row(H, H.AddHours(1), "AWS", "Compute", "Amazon EC2", "Usage", "10.00", "\"{\"\"application\"\":\"\"checkout\"\"}\""),
        Row(H, H.AddHours(1), "AWS", "compute", "Amazon EC2", "Usage", "2.50", "\"{\"\" Application \"\":\"\"checkout\"\"}\""),
        Row(H, H.AddHours(1), "AWS", "Storage", "Amazon S3", "Usage", "3.00", "\"{\"\"app\"\":\"\"checkout\"\"}\""),
        Row(Day, Day.AddDays(1), "Google Cloud", "Databases", "Cloud SQL", "Usage", "24.00", "\"{\"\"service\"\":\"\"search\"\"}\"", "proj-1"),
        Row(H.AddHours(1), H.AddHours(2), "Microsoft", "Networking", "Bandwidth", "Usage", "1.25", "NULL", "sub-1"),
        Row(H.AddHours(1), H.AddHours(2), "Microsoft", "Networking", "Bandwidth", "Credit", "-0.75", "", "sub-1"),
        Row(H, H.AddHours(1), "AWS", "Compute", "Amazon EC2", "Usage", "12.5x", "{}"),
        Row(H.AddHours(1), H, "AWS", "Compute", "Amazon EC2", "Usage", "1.00", "{}"),
        Row(H.AddDays(-1131), H.AddDays(-1131).AddHours(1), "AWS", "Compute", "Amazon EC2", "Usage", "5.00", "\"{\"\"application\"\":\"\"legacy\"\"}\"")) + "\r\n";

    public static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }
}
