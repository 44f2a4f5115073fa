using System.Globalization;
using System.Text;

namespace CloudSentinel.Bench;

/// <summary>
/// One tenant's share of the soak's load: requests of <c>perRequest</c> records that walk round a
/// fixed set of buckets (services × hours × accounts), so that every few requests each bucket is
/// restated with a new amount. The feed remembers the amount of the last acknowledged request for
/// every bucket: what service_costs must hold at the end.
/// </summary>
public sealed class SoakFeed(string tenant, int services = 60, int hours = 48, int accounts = 5, int perRequest = 1_500)
{
    private static readonly DateTime FirstHour = DateTime.UtcNow.Date.AddDays(-3);

    private readonly Dictionary<(string Service, DateTime Hour, string Account), decimal> _acknowledged = [];

    public string Tenant => tenant;

    public int PerRequest => perRequest;

    public int Keys => services * hours * accounts;

    public IReadOnlyDictionary<(string Service, DateTime Hour, string Account), decimal> Acknowledged => _acknowledged;

    public string Body(int request)
    {
        var lines = new StringBuilder(perRequest * 200);
        foreach (var (key, amount) in Records(request))
        {
            lines.Append(CultureInfo.InvariantCulture,
                $$"""{"tenant":"{{tenant}}","service_name":"{{key.Service}}","cloud_provider":"aws","cost_type":"compute","account_id":"{{key.Account}}","period_start":"{{key.Hour:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{amount.ToString(CultureInfo.InvariantCulture)}}}""");
            lines.Append('\n');
        }

        return lines.ToString();
    }

    /// <summary>Request <paramref name="request"/> got its 200: its amounts are now the ones to hold.</summary>
    public void Acknowledge(int request)
    {
        foreach (var (key, amount) in Records(request)) _acknowledged[key] = amount;
    }

    private IEnumerable<((string Service, DateTime Hour, string Account) Key, decimal Amount)> Records(int request)
    {
        for (var i = 0; i < perRequest; i++)
        {
            var k = (int)(((long)request * perRequest + i) % Keys);
            var key = ($"svc-{k % services:00}", FirstHour.AddHours(k / services % hours), $"a{k / (services * hours)}");
            yield return (key, ((k * 7L + request * 13L) % 1_000 + 1) / 100m);
        }
    }
}
