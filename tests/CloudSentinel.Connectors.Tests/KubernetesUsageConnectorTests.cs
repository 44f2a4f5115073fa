using System.Globalization;
using System.Text;
using Xunit;

namespace CloudSentinel.Connectors.Tests;

/// <summary>
/// The kubernetes connector against a scripted Prometheus: what it sends (queries, credentials) and how
/// it retries. The real-Prometheus tests are in CloudSentinel.Tests (KubernetesUsageSourceTests).
/// </summary>
public sealed class KubernetesUsageConnectorTests : IAsyncLifetime
{
    private static readonly DateTime H = Utc.At(2026, 12, 1, 5);
    private readonly TestRuntime _runtime = new(new DateTimeOffset(H.AddHours(3).AddMinutes(20)));
    private LocalApiServer _api = null!;

    public async Task InitializeAsync() => _api = await LocalApiServer.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private KubernetesUsageConnector Connector(KubernetesUsageOptions? options = null) =>
        new(new HttpClient(), options ?? Options(), _runtime.Runtime);

    private KubernetesUsageOptions Options() => new() { Tenant = "acme", ClusterName = "prod-1", Endpoint = _api.BaseUri };

    private static string Answer(params (string Pod, double Value)[] series)
    {
        var at = ((KubernetesUsageTable.EvaluationTime(H) - DateTime.UnixEpoch).TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var result = string.Join(",", series.Select(s => $$$"""{"metric":{"namespace":"shop","pod":"{{{s.Pod}}}"},"values":[[{{{at}}},"{{{s.Value.ToString(CultureInfo.InvariantCulture)}}}"]]}"""));
        return $$$"""{"status":"success","data":{"resultType":"matrix","result":[{{{result}}}]}}""";
    }

    /// <summary>Scripts one answer per query: one pod with CPU, memory and no service label; no claims, no balancer.</summary>
    private void ReplyOnePod(int queries)
    {
        for (var i = 0; i < queries; i++) _api.Reply(200, i < 4 ? Answer(("api-1", 0.5)) : i == 5 ? Answer(("api-1", 1)) : Answer());
    }

    [Fact]
    public async Task A_poll_sends_one_range_query_per_quantity_over_the_ended_hours_with_the_token_of_the_file()
    {
        var token = Path.GetTempFileName();
        await File.WriteAllTextAsync(token, "s3cret\n");
        ReplyOnePod(7);

        var result = await Connector(Options() with { BearerTokenFile = token }).PollAsync(new PollWindow(H, H.AddHours(6)));

        // The running hour (08:00–) is not read.
        Assert.Equal(new PollWindow(H, H.AddHours(3)), result.Window);
        Assert.Equal(7, result.ApiCalls);
        Assert.Equal(7, _api.Requests.Count);
        Assert.All(_api.Requests, r =>
        {
            Assert.Equal(("POST", "/api/v1/query_range", "Bearer s3cret"), (r.Method, r.PathAndQuery, r.Header("Authorization")));
            var form = r.Body.Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
            Assert.Equal(("1796104799.999", "1796111999.999", "3600"), (form["start"], form["end"], form["step"]));
        });
        Assert.Contains(_api.Requests, r => r.Body.Contains(Uri.EscapeDataString("increase(container_cpu_usage_seconds_total{container!=\"\",container!=\"POD\"}[1h])"), StringComparison.Ordinal));
        var record = Assert.Single(result.Usage);
        Assert.Equal(("api-1", "shop", 0.5m, 0.5m), (record.PodName, record.ServiceName, record.CpuRequestCoreHours!.Value, record.MemoryUsageGbHours!.Value));
        File.Delete(token);
    }

    [Fact]
    public async Task Basic_auth_sends_the_user_and_the_password_of_the_file()
    {
        var password = Path.GetTempFileName();
        await File.WriteAllTextAsync(password, "pa:ss");
        ReplyOnePod(7);

        await Connector(Options() with { BasicAuthUser = "reader", BasicAuthPasswordFile = password }).PollAsync(new PollWindow(H, H.AddHours(1)));

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("reader:pa:ss")), _api.Requests[0].Header("Authorization"));
        File.Delete(password);
    }

    [Fact]
    public async Task An_answer_cut_off_or_a_503_is_retried_with_backoff_and_counted_once()
    {
        _api.ReplyCutOff(Answer(("api-1", 0.25))[..40]);
        _api.Reply(503, """{"status":"error","errorType":"unavailable","error":"too many queries"}""");
        ReplyOnePod(7);

        var result = await Connector().PollAsync(new PollWindow(H, H.AddHours(1)));

        Assert.Equal(9, result.ApiCalls);
        Assert.Equal([TimeSpan.FromSeconds(0.75), TimeSpan.FromSeconds(1.5)], _runtime.Delays);
        Assert.Equal(0.5m, Assert.Single(result.Usage).CpuRequestCoreHours);
    }

    [Fact]
    public async Task Refused_credentials_stop_the_source_and_a_bad_query_is_not_retried()
    {
        _api.Reply(401, "unauthorized");
        await Assert.ThrowsAsync<ConnectorAuthException>(() => Connector().PollAsync(new PollWindow(H, H.AddHours(1))));

        _api.Reply(400, """{"status":"error","errorType":"bad_data","error":"parse error"}""");
        var error = await Assert.ThrowsAsync<ConnectorException>(() => Connector().PollAsync(new PollWindow(H, H.AddHours(1))));
        Assert.Contains("parse error", error.Message);
        Assert.Equal(2, _api.Requests.Count);
    }

    [Fact]
    public async Task A_missing_token_file_stops_the_source_with_its_path()
    {
        var error = await Assert.ThrowsAsync<ConnectorAuthException>(() =>
            Connector(Options() with { BearerTokenFile = "/nonexistent/token" }).PollAsync(new PollWindow(H, H.AddHours(1))));
        Assert.Contains("/nonexistent/token", error.Message);
        Assert.Empty(_api.Requests);
    }
}
