using System.Text;
using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Ingestion.Tests;

/// <summary>Usage records: parsing, the service a pod is charged to, and what is rejected.</summary>
public sealed class UsageRecordTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 16, 30, 0, DateTimeKind.Utc);
    private readonly UsageRecordValidator _validator = new(new IngestLimits(), new FixedClock(Now));

    private sealed class FixedClock(DateTime now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(now);
    }

    private (UsageRecord? Record, List<IngestError> Errors) Validate(string json)
    {
        var parse = UsageRecordJson.Parse(Encoding.UTF8.GetBytes(json), 100);
        var errors = new List<IngestError>(parse.Errors);
        var record = _validator.Validate(parse.Records.Single(), errors);
        return (record, errors);
    }

    private static string Pod(string extra) =>
        $$"""{"tenant":"acme","cluster_name":"c","namespace":"n","pod_name":"p","period_start":"2026-11-25T14:00:00Z"{{extra}}}""";

    [Theory]
    [InlineData(""","service_name":" checkout ","labels":{"app":"x"}""", "checkout")]
    [InlineData(""","labels":{"app":"legacy","app.kubernetes.io/name":"search"}""", "search")]
    [InlineData(""","labels":{"app":"legacy"}""", "legacy")]
    [InlineData(""","labels":{"team":"a"}""", CostVocabulary.UntaggedService)]
    [InlineData("", CostVocabulary.UntaggedService)]
    public void Service_comes_from_service_name_then_labels_else_untagged(string extra, string service)
    {
        var (record, errors) = Validate(Pod(extra));

        Assert.Empty(errors);
        Assert.Equal(service, record!.Pod.ServiceName);
    }

    [Fact]
    public void Quantities_default_to_zero_and_the_period_to_one_hour()
    {
        var (record, _) = Validate(Pod(""","cpu_request_core_hours":1.5"""));

        Assert.Equal(1.5m, record!.Pod.CpuRequestCoreHours);
        Assert.Equal(0m, record.Pod.MemoryUsageGbHours);
        Assert.Equal(record.PeriodStart.AddHours(1), record.PeriodEnd);
    }

    [Theory]
    [InlineData(""","cpu_usage_core_hours":-0.1""", "cpu_usage_core_hours", "must not be negative")]
    [InlineData(""","lb_requests":5""", "lb_requests", "needs load_balancer")]
    [InlineData(""","labels":{"app":"__idle__"}""", "labels.app", "reserved")]
    [InlineData(""","period_end":"2026-11-25T13:00:00Z" """, "period_end", "is not after")]
    [InlineData(""","memory_usage_gb_hours":"4" """, "memory_usage_gb_hours", "must be a JSON number")]
    public void Bad_fields_are_named(string extra, string field, string reason)
    {
        var (record, errors) = Validate(Pod(extra));

        Assert.Null(record);
        Assert.Equal(field, errors.Single().Field);
        Assert.Contains(reason, errors.Single().Reason);
    }

    [Fact]
    public void Reports_of_one_pod_hour_add_up_within_a_request()
    {
        var aggregator = new ClusterInputAggregator();
        var (half, _) = Validate(Pod(""","period_end":"2026-11-25T14:30:00Z","cpu_usage_core_hours":0.5"""));
        var (other, _) = Validate("""{"tenant":"acme","cluster_name":"c","namespace":"n","pod_name":"p","period_start":"2026-11-25T14:30:00Z","period_end":"2026-11-25T15:00:00Z","cpu_usage_core_hours":0.25}""");

        aggregator.Add(half!);
        aggregator.Add(other!);

        Assert.Equal(0.75m, aggregator.Batches().Single().Usage.Single().Usage.CpuUsageCoreHours);
    }

    [Fact]
    public void A_record_over_two_hours_gives_each_hour_its_share_and_the_wire_keeps_every_quantity()
    {
        var aggregator = new ClusterInputAggregator();
        var (record, _) = Validate(Pod(""","period_end":"2026-11-25T16:00:00Z","service_name":"db","cpu_request_core_hours":2,"cpu_usage_core_hours":1,"memory_request_gb_hours":8,"memory_usage_gb_hours":6,"storage_type":"gp3","storage_gb_hours":100,"load_balancer":"edge","lb_requests":40"""));

        aggregator.Add(record!);
        var hours = aggregator.Batches().Single().Usage.OrderBy(u => u.Key.Hour).ToList();

        Assert.Equal([new DateTime(2026, 11, 25, 14, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 25, 15, 0, 0, DateTimeKind.Utc)], hours.Select(u => u.Key.Hour));
        var half = record!.Pod with { CpuRequestCoreHours = 1m, CpuUsageCoreHours = 0.5m, MemoryRequestGbHours = 4m, MemoryUsageGbHours = 3m, StorageGbHours = 50m, LbRequests = 20m };
        Assert.All(hours, u => Assert.Equal(half, u.Usage.ToPodUsage(u.Key.Namespace, u.Key.PodName)));
    }
}
