using Xunit;
using System.Text;

namespace CloudSentinel.Connectors.Tests;

/// <summary>The streaming reader of range-query answers and the fold of series into pod-hour usage records.</summary>
public sealed class KubernetesUsageTests
{
    private static readonly DateTime H = Utc.At(2026, 12, 1, 5);

    /// <summary>A stream that hands out at most <paramref name="chunk"/> bytes per read, as a slow network does.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }

    private static double Seconds(DateTime t) => (KubernetesUsageTable.EvaluationTime(t) - DateTime.UnixEpoch).TotalSeconds;

    private static string Matrix(params string[] series) =>
        $$"""{"status":"success","data":{"resultType":"matrix","result":[{{string.Join(",", series)}}]},"warnings":["x"]}""";

    private static string Series(string labels, params (DateTime Hour, string Value)[] points) =>
        $$"""{"metric":{{{labels}}},"values":[{{string.Join(",", points.Select(p => $"[{Seconds(p.Hour).ToString(System.Globalization.CultureInfo.InvariantCulture)},\"{p.Value}\"]"))}}]}""";

    private static async Task<List<PrometheusSeries>> ReadAsync(string json, int chunk)
    {
        var series = new List<PrometheusSeries>();
        await PrometheusMatrixReader.ReadAsync(new TrickleStream(Encoding.UTF8.GetBytes(json), chunk), series.Add, CancellationToken.None);
        return series;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1 << 20)]
    public async Task An_answer_read_in_any_chunks_gives_the_same_series_and_NaN_points_are_left_out(int chunk)
    {
        var json = Matrix(
            Series("\"namespace\":\"shop\",\"pod\":\"api-1\"", (H, "0.5"), (H.AddHours(1), "NaN"), (H.AddHours(2), "1e-3")),
            Series("\"namespace\":\"shop\",\"pod\":\"web-\\u00e9\""));

        var series = await ReadAsync(json, chunk);

        Assert.Equal(2, series.Count);
        Assert.Equal("api-1", series[0].Labels["pod"]);
        Assert.Equal([H, H.AddHours(2)], series[0].Points.Select(p => KubernetesUsageTable.HourOf(p.TimestampMs)));
        Assert.Equal([0.5, 0.001], series[0].Points.Select(p => p.Value));
        Assert.Equal("web-é", series[1].Labels["pod"]);
    }

    [Fact]
    public async Task A_series_larger_than_the_read_buffer_grows_it()
    {
        var points = Enumerable.Range(0, 10_000).Select(i => (H.AddHours(i), "2")).ToArray();
        var series = await ReadAsync(Matrix(Series("\"namespace\":\"a\",\"pod\":\"b\"", points)), 4096);
        Assert.Equal(10_000, Assert.Single(series).Points.Count);
    }

    [Fact]
    public async Task An_answer_cut_short_is_an_IOException_so_the_query_is_retried()
    {
        var json = Matrix(Series("\"namespace\":\"a\",\"pod\":\"b\"", (H, "1")));
        await Assert.ThrowsAsync<IOException>(() => ReadAsync(json[..(json.Length - 20)], 16));
    }

    [Fact]
    public async Task A_vector_answer_is_refused()
    {
        await Assert.ThrowsAsync<FormatException>(() => ReadAsync("""{"status":"success","data":{"resultType":"vector","result":[]}}""", 8));
    }

    [Fact]
    public void The_hour_of_a_point_is_the_hour_its_window_covers()
    {
        var at = (long)(KubernetesUsageTable.EvaluationTime(H) - DateTime.UnixEpoch).TotalMilliseconds;
        Assert.Equal(H, KubernetesUsageTable.HourOf(at));
        Assert.Equal(H.AddHours(1).AddMilliseconds(-1), KubernetesUsageTable.EvaluationTime(H));
    }

    private static KubernetesUsageOptions Options(string fallback = KubernetesUsageOptions.Namespace) =>
        new() { Tenant = "acme", ClusterName = "prod-1", Endpoint = new Uri("http://127.0.0.1:9090/"), ServiceFallback = fallback };

    private static PrometheusSeries S(Dictionary<string, string> labels, double value) =>
        new(labels, [((long)(KubernetesUsageTable.EvaluationTime(H) - DateTime.UnixEpoch).TotalMilliseconds, value)]);

    [Fact]
    public void A_pod_hour_becomes_one_usage_record_with_its_service_largest_storage_class_and_load_balancer()
    {
        var table = new KubernetesUsageTable(Options());
        var pod = new Dictionary<string, string> { ["namespace"] = "shop", ["pod"] = "api-1" };
        table.Add(UsageQuantity.CpuRequest, S(pod, 0.49999999999));
        table.Add(UsageQuantity.CpuUsage, S(pod, 0.25));
        table.Add(UsageQuantity.MemoryRequest, S(pod, 1));
        table.Add(UsageQuantity.MemoryUsage, S(pod, 0.625));
        table.Add(UsageQuantity.Storage, S(new(pod) { ["storageclass"] = "gp3" }, 20));
        table.Add(UsageQuantity.Storage, S(new(pod) { ["storageclass"] = "standard" }, 5));
        table.Add(UsageQuantity.Storage, S(new(pod) { ["storageclass"] = "" }, 50));
        table.Add(UsageQuantity.Labels, S(new(pod) { ["label_app"] = "legacy", ["label_app_kubernetes_io_name"] = "api" }, 1));
        table.Add(UsageQuantity.LoadBalancer, S(new(pod) { ["service"] = "web-lb" }, 1));
        table.Add(UsageQuantity.LoadBalancer, S(new(pod) { ["service"] = "admin-lb" }, 1));
        table.Add(UsageQuantity.Labels, S(new Dictionary<string, string> { ["namespace"] = "shop", ["pod"] = "labels-only" }, 1));

        var record = Assert.Single(table.ToRecords());
        Assert.Equal(("acme", "prod-1", "shop", "api-1", "api"), (record.Tenant, record.ClusterName, record.Namespace, record.PodName, record.ServiceName));
        Assert.Equal((H, H.AddHours(1)), (record.PeriodStart!.Value, record.PeriodEnd!.Value));
        Assert.Equal((0.5m, 0.25m, 1m, 0.625m), (record.CpuRequestCoreHours!.Value, record.CpuUsageCoreHours!.Value, record.MemoryRequestGbHours!.Value, record.MemoryUsageGbHours!.Value));
        Assert.Equal(("gp3", 20m), (record.StorageType, record.StorageGbHours!.Value));
        Assert.Equal("shop/admin-lb", record.LoadBalancer);
        Assert.Equal("legacy", record.Labels!["app"]);
    }

    [Theory]
    [InlineData(KubernetesUsageOptions.Namespace, "jobs")]
    [InlineData(KubernetesUsageOptions.Owner, "nightly-report")]
    public void A_pod_without_a_service_label_is_charged_to_its_namespace_or_its_owning_workload(string fallback, string service)
    {
        var table = new KubernetesUsageTable(Options(fallback));
        var pod = new Dictionary<string, string> { ["namespace"] = "jobs", ["pod"] = "nightly-report-7f9c4-x2" };
        table.Add(UsageQuantity.CpuRequest, S(pod, 1));
        table.Add(UsageQuantity.Owner, S(new(pod) { ["owner_kind"] = "ReplicaSet", ["owner_name"] = "nightly-report-7f9c4" }, 1));

        Assert.Equal(service, Assert.Single(table.ToRecords()).ServiceName);
    }

    [Fact]
    public void Kube_state_metrics_label_names_replace_every_other_character_by_an_underscore()
    {
        Assert.Equal("label_app_kubernetes_io_name", KubernetesUsageQueries.PrometheusLabel("app.kubernetes.io/name"));
        Assert.Equal("label_team_x", KubernetesUsageQueries.PrometheusLabel("team-x"));
    }

    [Fact]
    public void A_poll_makes_a_bounded_number_of_queries_whatever_the_pods()
    {
        Assert.Equal(8, KubernetesUsageQueries.For(Options()).Count);
        Assert.Equal(KubernetesUsageQueries.Count, KubernetesUsageQueries.For(Options(KubernetesUsageOptions.Owner)).Count);
        Assert.All(KubernetesUsageQueries.For(Options() with { RecordingRules = true }).Take(4), q => Assert.StartsWith("sum by (namespace, pod) (sum_over_time(namespace_pod:", q.PromQl));
    }
}
