using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using CloudSentinel.Testing;
using Microsoft.AspNetCore.Http;

namespace CloudSentinel.Tests.Sources;

/// <summary>
/// Cost Explorer and Cost Management on a <see cref="LocalApiServer"/>, answering from current state
/// rather than a script: pollers re-read on their own schedule, so any number of requests must get the
/// same answer until the test restates an amount. Every request is recorded.
/// </summary>
public sealed class FakeBillingApi : IAsyncDisposable
{
    private readonly LocalApiServer _server;

    private FakeBillingApi(LocalApiServer server) => _server = server;

    public Uri BaseUri => _server.BaseUri;

    /// <summary>Daily cost per (Cost Explorer SERVICE, application tag), the same on every day asked for.</summary>
    public ConcurrentDictionary<(string Service, string App), decimal> AwsDaily { get; } = new();

    /// <summary>When set, every request is refused with 401 as a cloud does for a bad token.</summary>
    public bool RefuseCredentials { get; set; }

    public IReadOnlyList<RecordedRequest> Requests => _server.Requests;

    public static async Task<FakeBillingApi> StartAsync()
    {
        var api = new FakeBillingApi(await LocalApiServer.StartAsync());
        api._server.Otherwise = api.AnswerAsync;
        return api;
    }

    private async Task AnswerAsync(RecordedRequest request, HttpContext context)
    {
        context.Response.ContentType = "application/json";
        if (RefuseCredentials)
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync("""{"error":{"code":"InvalidAuthenticationToken","message":"The access token is invalid."}}""");
            return;
        }

        await context.Response.WriteAsync(CostExplorerPage(request.Body));
    }

    /// <summary>A single GetCostAndUsage page (no NextPageToken) with one result per day of the requested DAILY period.</summary>
    private string CostExplorerPage(string request)
    {
        using var json = JsonDocument.Parse(request);
        var period = json.RootElement.GetProperty("TimePeriod");
        var start = DateTime.ParseExact(period.GetProperty("Start").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var end = DateTime.ParseExact(period.GetProperty("End").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var results = new List<object>();
        for (var day = start; day < end; day = day.AddDays(1))
        {
            results.Add(new
            {
                TimePeriod = new { Start = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), End = day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
                Total = new { },
                Groups = AwsDaily.OrderBy(a => a.Key).Select(a => new
                {
                    Keys = new[] { a.Key.Service, "application$" + a.Key.App },
                    Metrics = new { UnblendedCost = new { Amount = a.Value.ToString(CultureInfo.InvariantCulture), Unit = "USD" } },
                }).ToArray(),
                Estimated = false,
            });
        }

        return JsonSerializer.Serialize(new { GroupDefinitions = Array.Empty<object>(), ResultsByTime = results, DimensionValueAttributes = Array.Empty<object>() });
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
