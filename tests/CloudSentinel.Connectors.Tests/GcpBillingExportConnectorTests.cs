using System.Text.Json;
using Xunit;

namespace CloudSentinel.Connectors.Tests;

public sealed class GcpBillingExportConnectorTests : IAsyncLifetime
{
    private const string Schema = """{"fields":[{"name":"service","type":"STRING"},{"name":"account","type":"STRING"},{"name":"region","type":"STRING"},{"name":"label_key","type":"STRING"},{"name":"label_value","type":"STRING"},{"name":"start_s","type":"INTEGER"},{"name":"end_s","type":"INTEGER"},{"name":"currency","type":"STRING"},{"name":"cost","type":"FLOAT"}]}""";
    private const long Hour0 = 1709251200; // 2024-03-01T00:00:00Z
    private static readonly PollWindow Window = new(Utc.At(2024, 3, 1), Utc.At(2024, 3, 2));
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

    private GcpBillingExportConnector Connector() =>
        new(_http, new GcpBillingExportOptions
        {
            Tenant = "acme",
            ProjectId = "billing-proj",
            Table = "billing-proj.billing.gcp_billing_export_v1_0123AB_4567CD_89EF01",
            Location = "EU",
            Endpoint = _server.BaseUri,
            PageSize = 2,
        }, new StaticGoogleToken("gcp-token"), _test.Runtime);

    private static string Row(string service, string? labelKey, string? labelValue, long start, string cost, string currency = "USD") =>
        "{\"f\":[" + string.Join(",", new[] { service, "proj-a", "europe-west1", labelKey, labelValue, start.ToString(), (start + 3600).ToString(), currency, cost }
            .Select(v => v is null ? "{\"v\":null}" : $"{{\"v\":\"{v}\"}}")) + "]}";

    private static string Page(bool complete, string? pageToken, params string[] rows) =>
        "{\"kind\":\"bigquery#queryResponse\",\"jobReference\":{\"projectId\":\"billing-proj\",\"jobId\":\"job_1\",\"location\":\"EU\"},\"jobComplete\":" + (complete ? "true" : "false")
        + (complete ? ",\"schema\":" + Schema + ",\"totalRows\":\"" + rows.Length + "\",\"rows\":[" + string.Join(",", rows) + "]" : "")
        + (pageToken is null ? "" : ",\"pageToken\":\"" + pageToken + "\"") + "}";

    [Fact]
    public async Task A_slow_job_is_awaited_and_every_page_read()
    {
        _server.Reply(200, Page(complete: false, null));
        _server.Reply(200, Page(complete: true, "tok2",
            Row("Compute Engine", "App", "web", Hour0, "1.25"),
            Row("Cloud Storage", null, null, Hour0, "0.5")));
        _server.Reply(200, Page(complete: true, null,
            Row("Compute Engine", "application", "web", Hour0, "0.75"),
            Row("Cloud SQL", "service", "api", Hour0 + 3600, "-0.2")));

        var connector = Connector();
        var result = await connector.PollAsync(Window);

        Assert.Equal(
        [
            "acme | untagged | gcp | proj-a | storage | 2024-03-01T00..2024-03-01T01 | 0.5 | gcp-billing-export | Cloud Storage | -",
            "acme | web | gcp | proj-a | compute | 2024-03-01T00..2024-03-01T01 | 2 | gcp-billing-export | Compute Engine | -",
            "acme | api | gcp | proj-a | database | 2024-03-01T01..2024-03-01T02 | -0.2 | gcp-billing-export | Cloud SQL | service=api",
        ], RecordText.Of(result.Records));
        Assert.Equal("europe-west1", result.Records[0].Region);
        Assert.Equal(3, result.ApiCalls);
        Assert.Equal(3, connector.ApiCallsTotal);

        var requests = _server.Requests;
        Assert.Equal(
        [
            "POST /bigquery/v2/projects/billing-proj/queries",
            "GET /bigquery/v2/projects/billing-proj/queries/job_1?maxResults=2&timeoutMs=20000&location=EU",
            "GET /bigquery/v2/projects/billing-proj/queries/job_1?maxResults=2&timeoutMs=20000&location=EU&pageToken=tok2",
        ], requests.Select(r => $"{r.Method} {r.PathAndQuery}"));
        Assert.All(requests, r => Assert.Equal("Bearer gcp-token", r.Header("Authorization")));

        using var query = JsonDocument.Parse(requests[0].Body);
        var root = query.RootElement;
        Assert.False(root.GetProperty("useLegacySql").GetBoolean());
        Assert.Contains("FROM `billing-proj.billing.gcp_billing_export_v1_0123AB_4567CD_89EF01`", root.GetProperty("query").GetString());
        Assert.Contains("cost + IFNULL((SELECT SUM(c.amount) FROM UNNEST(credits) AS c), 0)", root.GetProperty("query").GetString());
        Assert.Equal(
            """[{"name":"from","parameterType":{"type":"TIMESTAMP"},"parameterValue":{"value":"2024-03-01 00:00:00+00:00"}},{"name":"to","parameterType":{"type":"TIMESTAMP"},"parameterValue":{"value":"2024-03-02 00:00:00+00:00"}},{"name":"label_keys","parameterType":{"type":"ARRAY","arrayType":{"type":"STRING"}},"parameterValue":{"arrayValues":[{"value":"application"},{"value":"app"},{"value":"service"}]}}]""",
            root.GetProperty("queryParameters").GetRawText().Replace("\\u002B", "+"));
        Assert.Equal("EU", root.GetProperty("location").GetString());
    }

    [Fact]
    public async Task Rate_limits_reported_as_403_are_retried_not_taken_for_auth_failures()
    {
        _server.Reply(403, """{"error":{"code":403,"message":"Exceeded rate limits","errors":[{"reason":"rateLimitExceeded"}]}}""");
        _server.Reply(500, """{"error":{"code":500,"errors":[{"reason":"backendError"}]}}""");
        _server.Reply(200, Page(complete: true, null, Row("Compute Engine", "app", "web", Hour0, "1")));

        var result = await Connector().PollAsync(Window);

        Assert.Single(result.Records);
        Assert.Equal(3, result.ApiCalls);
        Assert.Equal([TimeSpan.FromMilliseconds(750), TimeSpan.FromMilliseconds(1500)], _test.Delays);
    }

    [Theory]
    [InlineData(401, """{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}""")]
    [InlineData(403, """{"error":{"code":403,"message":"Access Denied: Table billing-proj:billing.x","errors":[{"reason":"accessDenied"}]}}""")]
    public async Task Refused_credentials_stop_the_poll_without_retrying(int status, string body)
    {
        _server.Reply(status, body);

        await Assert.ThrowsAsync<ConnectorAuthException>(() => Connector().PollAsync(Window));

        Assert.Single(_server.Requests);
    }

    [Theory]
    [InlineData("""{"kind":"bigquery#queryResponse","jobReference":{"jobId":"job_1"},"jobComplete":true,"schema":{"fields":[{"name":"service"}]},"rows":[{"f":[{"v":"x""")]
    [InlineData("""{"kind":"bigquery#queryResponse","jobComplete":true}""")]
    [InlineData("""{"jobReference":{"jobId":"job_1"},"jobComplete":true,"schema":{"fields":[{"name":"service"}]},"rows":[{"f":[{"v":"x"}]}]}""")]
    public async Task Malformed_or_truncated_answers_fail_the_poll(string body)
    {
        _server.Reply(200, body);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => Connector().PollAsync(Window));

        Assert.Contains("malformed BigQuery response", error.Message);
    }

    [Fact]
    public async Task An_empty_result_gives_no_records()
    {
        _server.Reply(200, """{"kind":"bigquery#queryResponse","jobReference":{"projectId":"billing-proj","jobId":"job_1"},"jobComplete":true,"schema":""" + Schema + ""","totalRows":"0"}""");

        var result = await Connector().PollAsync(Window);

        Assert.Empty(result.Records);
        Assert.Equal(1, result.ApiCalls);
    }
}
