using System.Globalization;
using System.Text;

namespace CloudSentinel.Testing;

/// <summary>
/// A known data set for the fault tests: <c>requests</c> requests of <c>perRequest</c> records, every
/// record its own bucket (tenant "fault", services svc-000…, hours before now), with amounts whose
/// sum is known to the cent, and a client that re-sends any request until it gets a 200.
/// </summary>
public sealed class KnownCosts(int requests, int perRequest, int services = 200)
{
    private static readonly DateTime FirstHour = DateTime.UtcNow.Date.AddDays(-3);

    public const string Tenant = "fault";

    public int Requests => requests;

    public int Records => requests * perRequest;

    /// <summary>Record r (0-based, over all requests) costs (r mod 97 + 1) cents plus r/1000 of a micro-dollar step, so no two buckets are alike.</summary>
    public decimal ExpectedTotal => Enumerable.Range(0, Records).Sum(Cost);

    public string Body(int request)
    {
        var lines = new StringBuilder();
        for (var i = 0; i < perRequest; i++)
        {
            var r = request * perRequest + i;
            var (service, hour, account) = Key(r);
            lines.Append(CultureInfo.InvariantCulture,
                $$"""{"tenant":"{{Tenant}}","service_name":"{{service}}","cloud_provider":"aws","cost_type":"compute","account_id":"{{account}}","period_start":"{{hour:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{Cost(r).ToString(CultureInfo.InvariantCulture)}}}""");
            lines.Append('\n');
        }

        return lines.ToString();
    }

    /// <summary>Every record's bucket (service, hour, account) and the amount it must hold.</summary>
    public Dictionary<(string Service, DateTime Hour, string Account), decimal> ExpectedBuckets() =>
        Enumerable.Range(0, Records).ToDictionary(Key, Cost);

    private (string Service, DateTime Hour, string Account) Key(int r) =>
        ($"svc-{r % services:000}", FirstHour.AddHours(r / services % 48), $"a{r / (services * 48)}");

    private static decimal Cost(int r) => (r % 97 + 1) / 100m + r / 1_000_000m;

    /// <summary>Sends request <paramref name="request"/> until a 200, waiting as long as Retry-After says; returns the answers that were not (status and body).</summary>
    public Task<List<string>> SendUntilAcknowledgedAsync(HttpClient http, int request, TimeSpan? patience = null) =>
        PatientClient.SendAsync(http, Body(request), patience ?? TimeSpan.FromSeconds(120));
}
