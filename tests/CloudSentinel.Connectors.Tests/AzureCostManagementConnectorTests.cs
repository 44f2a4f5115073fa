using System.Text.Json;
using Xunit;

namespace CloudSentinel.Connectors.Tests;

public sealed class AzureCostManagementConnectorTests : IAsyncLifetime
{
    private const string QueryPath = "/subscriptions/sub-1/providers/Microsoft.CostManagement/query?api-version=2023-11-01";
    private const string Columns = """[{"name":"Cost","type":"Number"},{"name":"UsageDate","type":"Number"},{"name":"ServiceName","type":"String"},{"name":"TagKey","type":"String"},{"name":"TagValue","type":"String"},{"name":"Currency","type":"String"}]""";
    private static readonly PollWindow TwoDays = new(Utc.At(2024, 3, 1), Utc.At(2024, 3, 3));
    private readonly TestRuntime _test = new(new DateTimeOffset(2024, 3, 10, 12, 0, 0, TimeSpan.Zero));
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

    private AzureCostManagementConnector Connector(string? token = "test-token", int budget = 30) =>
        new(_http, new AzureCostManagementOptions { Tenant = "acme", Scope = "/subscriptions/sub-1", Endpoint = _server.BaseUri, RequestBudget = budget },
            new StaticTokenCredential(token), _test.Runtime);

    private static string Page(string? nextLink, params string[] rows) =>
        $$"""{"id":"q","name":"q","type":"Microsoft.CostManagement/query","properties":{"nextLink":{{(nextLink is null ? "null" : $"\"{nextLink}\"")}},"columns":{{Columns}},"rows":[{{string.Join(",", rows)}}]""" + "}}";

    [Fact]
    public async Task Pages_are_followed_through_nextLink_and_rows_summed_per_bucket_key()
    {
        var next = new Uri(_server.BaseUri, "subscriptions/sub-1/providers/Microsoft.CostManagement/query?api-version=2023-11-01&$skiptoken=abc");
        _server.Reply(200, Page(next.ToString(),
            """[12.5,20240301,"Virtual Machines","application","web","USD"]""",
            """[4.0,20240301,"Storage","application","","USD"]"""));
        _server.Reply(200, Page(null,
            """[0.5,20240301,"Virtual Machines Licenses","application","web","USD"]""",
            """[-2.25,20240302,"Azure SQL Database","application","api","USD"]"""));

        var connector = Connector();
        var result = await connector.PollAsync(TwoDays);

        Assert.Equal(
        [
            "acme | untagged | azure | sub-1 | storage | 2024-03-01T00..2024-03-02T00 | 4 | azure-cost-management | Storage | -",
            "acme | web | azure | sub-1 | compute | 2024-03-01T00..2024-03-02T00 | 13 | azure-cost-management | - | application=web",
            "acme | api | azure | sub-1 | database | 2024-03-02T00..2024-03-03T00 | -2.25 | azure-cost-management | Azure SQL Database | application=api",
        ], RecordText.Of(result.Records));
        Assert.Equal(2, result.ApiCalls);
        Assert.Equal(2, connector.ApiCallsTotal);

        var requests = _server.Requests;
        Assert.Equal([QueryPath, "/subscriptions/sub-1/providers/Microsoft.CostManagement/query?api-version=2023-11-01&$skiptoken=abc"], requests.Select(r => r.PathAndQuery));
        Assert.All(requests, r => Assert.Equal("POST", r.Method));
        Assert.All(requests, r => Assert.Equal("Bearer test-token", r.Header("Authorization")));
        Assert.Equal(requests[0].Body, requests[1].Body);
        Assert.Equal(
            """{"type":"ActualCost","timeframe":"Custom","timePeriod":{"from":"2024-03-01T00:00:00Z","to":"2024-03-02T23:59:59Z"},"dataset":{"granularity":"Daily","aggregation":{"totalCost":{"name":"Cost","function":"Sum"}},"grouping":[{"type":"Dimension","name":"ServiceName"},{"type":"TagKey","name":"application"}]}}""",
            requests[0].Body);
    }

    [Fact]
    public async Task Throttling_waits_as_long_as_the_cost_management_headers_ask()
    {
        _server.Reply(429, """{"error":{"code":"429","message":"Too many requests"}}""",
            ("x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after", "7"), ("x-ms-ratelimit-microsoft.costmanagement-entity-retry-after", "2"));
        _server.Reply(503, "busy", ("Retry-After", "3"));
        _server.Reply(200, Page(null, """[1,20240301,"Virtual Machines","application","web","USD"]"""));

        var result = await Connector().PollAsync(TwoDays);

        Assert.Single(result.Records);
        Assert.Equal(3, result.ApiCalls);
        // The server's wait plus a jitter of half the base delay.
        Assert.Equal([TimeSpan.FromSeconds(7.5), TimeSpan.FromSeconds(3.5)], _test.Delays);
    }

    [Fact]
    public async Task A_refused_token_stops_the_poll_without_retrying()
    {
        _server.Reply(401, """{"error":{"code":"AuthenticationFailed","message":"The access token is invalid."}}""");

        await Assert.ThrowsAsync<ConnectorAuthException>(() => Connector().PollAsync(TwoDays));

        Assert.Single(_server.Requests);
        Assert.Empty(_test.Delays);
    }

    [Fact]
    public async Task A_credential_that_cannot_give_a_token_stops_the_poll_before_any_call()
    {
        var error = await Assert.ThrowsAsync<ConnectorAuthException>(() => Connector(token: null).PollAsync(TwoDays));

        Assert.Contains("no Azure token could be acquired", error.Message);
        Assert.Empty(_server.Requests);
    }

    [Theory]
    [InlineData("""{"properties":{"columns":[{"name":"Cost"}],"rows":[[1,20240301""")]
    [InlineData("""{"properties":{"columns":[{"name":"Cost"},{"name":"UsageDate"}],"rows":[[1,20240301]]}}""")]
    [InlineData("""{"properties":{"nextLink":null,"columns":[{"name":"Cost"},{"name":"UsageDate"},{"name":"ServiceName"},{"name":"TagValue"}],"rows":[[1,20240301,"VM"]]}}""")]
    [InlineData("""{"value":[]}""")]
    public async Task Malformed_or_truncated_answers_fail_the_poll(string body)
    {
        _server.Reply(200, body);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => Connector().PollAsync(TwoDays));

        Assert.Contains("malformed query response", error.Message);
    }

    [Fact]
    public async Task An_empty_result_gives_no_records()
    {
        _server.Reply(200, Page(null));

        var result = await Connector().PollAsync(TwoDays);

        Assert.Empty(result.Records);
        Assert.Equal(1, result.ApiCalls);
    }

    [Fact]
    public async Task A_nextLink_to_another_host_is_not_sent_the_token()
    {
        _server.Reply(200, Page("https://attacker.example/steal", """[1,20240301,"Virtual Machines","application","web","USD"]"""));

        var error = await Assert.ThrowsAsync<ConnectorException>(() => Connector().PollAsync(TwoDays));

        Assert.Contains("does not point to", error.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Partial_days_are_widened_to_whole_days()
    {
        _server.Reply(200, Page(null));

        var result = await Connector().PollAsync(new PollWindow(Utc.At(2024, 3, 1, 6), Utc.At(2024, 3, 1, 18)));

        Assert.Equal(new PollWindow(Utc.At(2024, 3, 1), Utc.At(2024, 3, 2)), result.Window);
        using var body = JsonDocument.Parse(_server.Requests[0].Body);
        Assert.Equal("2024-03-01T23:59:59Z", body.RootElement.GetProperty("timePeriod").GetProperty("to").GetString());
    }
}
