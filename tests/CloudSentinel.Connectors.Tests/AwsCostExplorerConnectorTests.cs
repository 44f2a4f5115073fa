using System.Text.Json;
using Amazon.Runtime;
using Xunit;

namespace CloudSentinel.Connectors.Tests;

public sealed class AwsCostExplorerConnectorTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2024, 3, 10, 12, 0, 0, TimeSpan.Zero);
    private readonly TestRuntime _test = new(Now);
    private LocalApiServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await LocalApiServer.StartAsync();
        _http = new HttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private AwsCostExplorerConnector Connector(bool hourly = false, int budget = 20, IReadOnlyDictionary<string, decimal>? rates = null) =>
        new(_http, new AwsCostExplorerOptions
        {
            Tenant = "acme",
            AccountId = "123456789012",
            Endpoint = _server.BaseUri,
            Hourly = hourly,
            RequestBudget = budget,
            UsdRates = rates ?? new Dictionary<string, decimal>(),
        }, new BasicAWSCredentials("AKIDTEST", "secret-test-key"), _test.Runtime);

    private static string Group(string service, string tag, string amount, string unit = "USD") =>
        $$"""{"Keys":["{{service}}","{{tag}}"],"Metrics":{"UnblendedCost":{"Amount":"{{amount}}","Unit":"{{unit}}" """ + "}}}";

    private static string Page(string? nextToken, params (string Start, string End, string[] Groups)[] results) =>
        $$"""{"GroupDefinitions":[{"Type":"DIMENSION","Key":"SERVICE"},{"Type":"TAG","Key":"application"}],"ResultsByTime":[{{string.Join(",", results.Select(r =>
            $$"""{"TimePeriod":{"Start":"{{r.Start}}","End":"{{r.End}}"},"Total":{},"Groups":[{{string.Join(",", r.Groups)}}],"Estimated":false}"""))}}]{{(nextToken is null ? "" : $",\"NextPageToken\":\"{nextToken}\"")}},"DimensionValueAttributes":[]}""";

    private static readonly PollWindow TwoDays = new(Utc.At(2024, 3, 1), Utc.At(2024, 3, 3));

    [Fact]
    public async Task Pages_are_followed_and_groups_summed_per_bucket_key()
    {
        _server.Reply(200, Page("page-2",
            ("2024-03-01", "2024-03-02", [Group("Amazon Elastic Compute Cloud - Compute", "application$web", "10.5"), Group("Amazon Simple Storage Service", "application$", "2.25")])));
        _server.Reply(200, Page(null,
            ("2024-03-01", "2024-03-02", [Group("EC2 - Other", "application$web", "1.5")]),
            ("2024-03-02", "2024-03-03", [Group("Amazon Relational Database Service", "application$ api ", "-3.10")])));

        var connector = Connector();
        var result = await connector.PollAsync(TwoDays);

        Assert.Equal(
        [
            "acme | untagged | aws | 123456789012 | storage | 2024-03-01T00..2024-03-02T00 | 2.25 | aws-cost-explorer | Amazon Simple Storage Service | -",
            "acme | web | aws | 123456789012 | compute | 2024-03-01T00..2024-03-02T00 | 12 | aws-cost-explorer | - | application=web",
            "acme | api | aws | 123456789012 | database | 2024-03-02T00..2024-03-03T00 | -3.1 | aws-cost-explorer | Amazon Relational Database Service | application=api",
        ], RecordText.Of(result.Records));
        Assert.Equal(2, result.ApiCalls);
        Assert.Equal(2, connector.ApiCallsTotal);
        Assert.Empty(result.Rejected);

        var requests = _server.Requests;
        Assert.Equal(2, requests.Count);
        foreach (var request in requests)
        {
            Assert.Equal("POST", request.Method);
            Assert.Equal("/", request.PathAndQuery);
            Assert.Equal("AWSInsightsIndexService.GetCostAndUsage", request.Header("X-Amz-Target"));
            Assert.Equal("application/x-amz-json-1.1", request.Header("Content-Type"));
            Assert.Equal("20240310T120000Z", request.Header("X-Amz-Date"));
            Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/20240310/us-east-1/ce/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=", request.Header("Authorization"));
            Assert.Equal(Resign(request), request.Header("Authorization"));
        }

        using var first = JsonDocument.Parse(requests[0].Body);
        Assert.Equal("""{"TimePeriod":{"Start":"2024-03-01","End":"2024-03-03"},"Granularity":"DAILY","Metrics":["UnblendedCost"],"GroupBy":[{"Type":"DIMENSION","Key":"SERVICE"},{"Type":"TAG","Key":"application"}]}""", requests[0].Body);
        using var second = JsonDocument.Parse(requests[1].Body);
        Assert.Equal("page-2", second.RootElement.GetProperty("NextPageToken").GetString());
    }

    /// <summary>Signs what the server received with the same key: equal only if what was signed is exactly what was sent.</summary>
    private static string Resign(RecordedRequest request)
    {
        var headers = new List<(string, string)>
        {
            ("host", request.Header("Host")!), ("content-type", request.Header("Content-Type")!),
            ("x-amz-date", request.Header("X-Amz-Date")!), ("x-amz-target", request.Header("X-Amz-Target")!),
        };
        var payloadHash = AwsSigV4.Hex(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(request.Body)));
        var canonical = AwsSigV4.CanonicalRequest("POST", "/", "", headers, payloadHash);
        var signature = AwsSigV4.Signature(canonical, request.Header("X-Amz-Date")!, "us-east-1", "ce", "secret-test-key");
        return $"AWS4-HMAC-SHA256 Credential=AKIDTEST/20240310/us-east-1/ce/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={signature}";
    }

    [Fact]
    public async Task Hourly_granularity_is_asked_for_recent_windows_and_daily_for_older_ones()
    {
        _server.Reply(200, Page(null, ("2024-03-09T05:00:00Z", "2024-03-09T06:00:00Z", [Group("AWS Lambda", "application$jobs", "0.40")])));
        _server.Reply(200, Page(null));

        var recent = await Connector(hourly: true).PollAsync(new PollWindow(Utc.At(2024, 3, 9, 5).AddMinutes(30), Utc.At(2024, 3, 9, 7)));
        await Connector(hourly: true).PollAsync(new PollWindow(Utc.At(2024, 2, 1), Utc.At(2024, 2, 2)));

        Assert.Equal(["acme | jobs | aws | 123456789012 | compute | 2024-03-09T05..2024-03-09T06 | 0.4 | aws-cost-explorer | AWS Lambda | application=jobs"], RecordText.Of(recent.Records));
        Assert.Equal(new PollWindow(Utc.At(2024, 3, 9, 5), Utc.At(2024, 3, 9, 7)), recent.Window);
        Assert.Contains("\"TimePeriod\":{\"Start\":\"2024-03-09T05:00:00Z\",\"End\":\"2024-03-09T07:00:00Z\"},\"Granularity\":\"HOURLY\"", _server.Requests[0].Body);
        Assert.Contains("\"TimePeriod\":{\"Start\":\"2024-02-01\",\"End\":\"2024-02-02\"},\"Granularity\":\"DAILY\"", _server.Requests[1].Body);
    }

    [Fact]
    public async Task Throttling_and_server_errors_are_retried_with_exponential_backoff()
    {
        _server.Reply(400, """{"__type":"com.amazonaws.awsinsightsindexservice#LimitExceededException","message":"Rate exceeded"}""");
        _server.Reply(503, "Service Unavailable");
        _server.Reply(200, Page(null, ("2024-03-01", "2024-03-02", [Group("AWS Lambda", "application$jobs", "1")])));

        var result = await Connector().PollAsync(TwoDays);

        Assert.Single(result.Records);
        Assert.Equal(3, result.ApiCalls);
        // Equal jitter at 0.5: 1 s base → 0.75 s, then 2 s → 1.5 s.
        Assert.Equal([TimeSpan.FromMilliseconds(750), TimeSpan.FromMilliseconds(1500)], _test.Delays);
    }

    [Theory]
    [InlineData(400, """{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid."}""")]
    [InlineData(403, """{"__type":"com.amazon.coral.service#AccessDeniedException","message":"User is not authorized to perform: ce:GetCostAndUsage"}""")]
    public async Task Refused_credentials_stop_the_poll_without_retrying(int status, string body)
    {
        _server.Reply(status, body);

        var error = await Assert.ThrowsAsync<ConnectorAuthException>(() => Connector().PollAsync(TwoDays));

        Assert.Contains("credentials refused", error.Message);
        Assert.Single(_server.Requests);
        Assert.Empty(_test.Delays);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"ResultsByTime":[{"TimePeriod":{"Start":"2024-03-01","End":"2024-03-02"},"Groups":[{"Keys":["AWS Lambda","application$x"],"Metr""")]
    [InlineData("""{"ResultsByTime":[{"TimePeriod":{"Start":"2024-03-01","End":"2024-03-02"},"Groups":[{"Keys":["AWS Lambda","application$x"],"Metrics":{"UnblendedCost":{"Amount":"lots","Unit":"USD"}}}]}]}""")]
    [InlineData("""{"Something":"else"}""")]
    public async Task Malformed_or_truncated_answers_fail_the_poll_with_nothing_emitted(string body)
    {
        _server.Reply(200, body);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => Connector().PollAsync(TwoDays));

        Assert.IsNotType<ConnectorAuthException>(error);
        Assert.Contains("malformed GetCostAndUsage response", error.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task A_transfer_cut_short_is_retried()
    {
        _server.ReplyCutOff("""{"ResultsByTime":[""");
        _server.Reply(200, Page(null, ("2024-03-01", "2024-03-02", [Group("AWS Lambda", "application$jobs", "2")])));

        var result = await Connector().PollAsync(TwoDays);

        Assert.Equal(["acme | jobs | aws | 123456789012 | compute | 2024-03-01T00..2024-03-02T00 | 2 | aws-cost-explorer | AWS Lambda | application=jobs"], RecordText.Of(result.Records));
        Assert.Equal(2, result.ApiCalls);
    }

    [Fact]
    public async Task An_empty_result_gives_no_records()
    {
        _server.Reply(200, Page(null, ("2024-03-01", "2024-03-02", []), ("2024-03-02", "2024-03-03", [])));

        var result = await Connector().PollAsync(TwoDays);

        Assert.Empty(result.Records);
        Assert.Equal(1, result.ApiCalls);
    }

    [Fact]
    public async Task The_request_budget_stops_endless_paging()
    {
        for (var i = 0; i < 3; i++) _server.Reply(200, Page($"page-{i + 2}", ("2024-03-01", "2024-03-02", [Group("AWS Lambda", "application$jobs", "1")])));

        var error = await Assert.ThrowsAsync<RequestBudgetExceededException>(() => Connector(budget: 2).PollAsync(TwoDays));

        Assert.Equal(2, error.Budget);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task Other_currencies_are_converted_or_rejected_with_a_reason()
    {
        const string body = """{"ResultsByTime":[{"TimePeriod":{"Start":"2024-03-01","End":"2024-03-02"},"Groups":[{"Keys":["AWS Lambda","application$jobs"],"Metrics":{"UnblendedCost":{"Amount":"10","Unit":"EUR"}}}]}]}""";
        _server.Reply(200, body);
        _server.Reply(200, body);

        var rejected = await Connector().PollAsync(TwoDays);
        var converted = await Connector(rates: new Dictionary<string, decimal> { ["EUR"] = 1.08m }).PollAsync(TwoDays);

        Assert.Empty(rejected.Records);
        Assert.Equal("record 0: field 'Unit': currency 'EUR' has no USD rate configured (add it to UsdRates, in USD per 1 EUR)", Assert.Single(rejected.Rejected).ToString());
        Assert.Equal(10.80m, Assert.Single(converted.Records).CostUsd);
    }
}
