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
        ReplyOnePod(8);

        var result = await Connector(Options() with { BearerTokenFile = token }).PollAsync(new PollWindow(H, H.AddHours(6)));

        // The running hour (08:00–) is not read.
        Assert.Equal(new PollWindow(H, H.AddHours(3)), result.Window);
        Assert.Equal(8, result.ApiCalls);
        Assert.Equal(8, _api.Requests.Count);
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
    public async Task Nodes_provider_ids_become_billed_instance_ids_and_a_malformed_one_is_left_out_with_the_reason()
    {
        ReplyOnePod(7);
        var at = ((KubernetesUsageTable.EvaluationTime(H) - DateTime.UnixEpoch).TotalSeconds).ToString(CultureInfo.InvariantCulture);
        string Node(string node, string providerId) => $$$"""{"metric":{"node":"{{{node}}}","provider_id":"{{{providerId}}}"},"values":[[{{{at}}},"1"]]}""";
        _api.Reply(200, $$$"""{"status":"success","data":{"resultType":"matrix","result":[{{{string.Join(",",
            Node("ip-10-0-1-5", "aws:///us-east-1a/i-0abc123def4567890"), Node("gke-pool-1", "gce://my-project/europe-west1-b/gke-prod-pool-1-9f8e"),
            Node("aks-0", "azure:///subscriptions/S1/resourceGroups/MC_rg/providers/Microsoft.Compute/virtualMachines/aks-nodes-0"),
            Node("kind-worker", ""), Node("odd-1", "vsphere://4213a2b0"))}}}]}}""");

        var result = await Connector().PollAsync(new PollWindow(H, H.AddHours(1)));

        Assert.Equal(8, result.ApiCalls);
        Assert.Contains(_api.Requests, r => Uri.UnescapeDataString(r.Body.Replace('+', ' ')).Contains("max by (node, provider_id) (max_over_time(kube_node_info[1h]))", StringComparison.Ordinal));
        Assert.Equal(
            ["/subscriptions/s1/resourcegroups/mc_rg/providers/microsoft.compute/virtualmachines/aks-nodes-0", "gke-prod-pool-1-9f8e", "i-0abc123def4567890"],
            result.NodeInstances);
        // A node without a cloud provider has nothing to link and is no error; an id of an unknown form is.
        var rejected = Assert.Single(result.Rejected);
        Assert.Equal("kube_node_info{node=\"odd-1\"}.provider_id", rejected.Field);
        Assert.Contains("vsphere://4213a2b0", rejected.Reason);
        Assert.Single(result.Usage);
    }

    [Fact]
    public async Task Basic_auth_sends_the_user_and_the_password_of_the_file()
    {
        var password = Path.GetTempFileName();
        await File.WriteAllTextAsync(password, "pa:ss");
        ReplyOnePod(8);

        await Connector(Options() with { BasicAuthUser = "reader", BasicAuthPasswordFile = password }).PollAsync(new PollWindow(H, H.AddHours(1)));

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("reader:pa:ss")), _api.Requests[0].Header("Authorization"));
        File.Delete(password);
    }

    [Fact]
    public async Task An_answer_cut_off_or_a_503_is_retried_with_backoff_and_counted_once()
    {
        _api.ReplyCutOff(Answer(("api-1", 0.25))[..40]);
        _api.Reply(503, """{"status":"error","errorType":"unavailable","error":"too many queries"}""");
        ReplyOnePod(8);

        var result = await Connector().PollAsync(new PollWindow(H, H.AddHours(1)));

        Assert.Equal(10, result.ApiCalls);
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
