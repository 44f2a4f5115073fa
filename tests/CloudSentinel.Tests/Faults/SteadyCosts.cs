using System.Globalization;
using System.Text;

namespace CloudSentinel.Tests.Faults;

/// <summary>
/// Ten days of hourly costs for <c>services</c> services of one tenant, with a daily rhythm and a
/// spike of eight times the usual cost in every third service at hour 220 (so that verdicts exist to
/// compare), sent in time order in requests of <c>perRequest</c> records; the last requests restate
/// the final 40 hours of the first five services by +10%. <see cref="Expected"/> is what every bucket
/// must hold at the end: the last acknowledged amount.
/// </summary>
public sealed class SteadyCosts(string tenant, int services = 10, int perRequest = 50)
{
    public const int Hours = 240;

    private static readonly DateTime FirstHour = DateTime.UtcNow.Date.AddHours(-Hours);

    private readonly List<List<(string Service, DateTime Hour, decimal Cost)>> _requests = Build(services, perRequest);

    public string Tenant => tenant;

    public int Requests => _requests.Count;

    public Dictionary<(string Service, DateTime Hour), decimal> Expected() => ExpectedAfter(Requests);

    /// <summary>What the buckets hold once the first <paramref name="requests"/> requests are applied.</summary>
    public Dictionary<(string Service, DateTime Hour), decimal> ExpectedAfter(int requests)
    {
        var last = new Dictionary<(string, DateTime), decimal>();
        foreach (var record in _requests.Take(requests).SelectMany(r => r)) last[(record.Service, record.Hour)] = record.Cost;
        return last;
    }

    public string Body(int request)
    {
        var lines = new StringBuilder();
        foreach (var (service, hour, cost) in _requests[request])
        {
            lines.Append(CultureInfo.InvariantCulture,
                $$"""{"tenant":"{{tenant}}","service_name":"{{service}}","cloud_provider":"aws","cost_type":"compute","period_start":"{{hour:yyyy-MM-dd'T'HH:mm:ss'Z'}}","cost_usd":{{cost.ToString(CultureInfo.InvariantCulture)}}}""");
            lines.Append('\n');
        }

        return lines.ToString();
    }

    private static List<List<(string, DateTime, decimal)>> Build(int services, int perRequest)
    {
        var records = new List<(string, DateTime, decimal)>();
        for (var h = 0; h < Hours; h++)
        {
            for (var s = 0; s < services; s++) records.Add(($"svc-{s:00}", FirstHour.AddHours(h), Cost(s, h)));
        }

        for (var h = Hours - 40; h < Hours; h++)
        {
            for (var s = 0; s < Math.Min(5, services); s++) records.Add(($"svc-{s:00}", FirstHour.AddHours(h), Math.Round(Cost(s, h) * 1.1m, 4)));
        }

        return records.Chunk(perRequest).Select(c => c.ToList()).ToList();
    }

    private static decimal Cost(int service, int hour)
    {
        var rhythm = 1 + 0.3 * Math.Sin(2 * Math.PI * (hour % 24) / 24);
        var usual = (decimal)Math.Round((2 + service) * rhythm, 4);
        return service % 3 == 0 && hour == 220 ? usual * 8 : usual;
    }
}
