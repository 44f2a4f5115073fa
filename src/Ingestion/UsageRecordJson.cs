using System.Text.Json;
using CloudSentinel.Core;

namespace CloudSentinel.Ingestion;

/// <summary>Reads workload usage records from a JSON array or NDJSON body, with the framing and readers of <see cref="JsonRecords"/>.</summary>
public static class UsageRecordJson
{
    private static readonly FieldNames Fields = new(
        "tenant", "cluster_name", "namespace", "pod_name", "service_name", "labels", "period_start", "period_end", "cpu_request_core_hours",
        "cpu_usage_core_hours", "memory_request_gb_hours", "memory_usage_gb_hours", "storage_type", "storage_gb_hours", "load_balancer", "lb_requests");

    public static RecordParse<UsageRecordFields> Parse(ReadOnlyMemory<byte> body, int maxRecords) =>
        JsonRecords.Parse(body, maxRecords, Fields, ReadRecord);

    private static UsageRecordFields ReadRecord(ref Utf8JsonReader reader, RecordContext context) =>
        JsonRecords.ReadObject(ref reader, new UsageRecordFields { Index = context.Index }, context, ReadField);

    private static void ReadField(ref Utf8JsonReader reader, UsageRecordFields fields, string name, RecordContext context)
    {
        switch (name)
        {
            case "tenant": fields.Tenant = JsonRecords.ReadString(ref reader, context, name); break;
            case "cluster_name": fields.ClusterName = JsonRecords.ReadString(ref reader, context, name); break;
            case "namespace": fields.Namespace = JsonRecords.ReadString(ref reader, context, name); break;
            case "pod_name": fields.PodName = JsonRecords.ReadString(ref reader, context, name); break;
            case "service_name": fields.ServiceName = JsonRecords.ReadString(ref reader, context, name); break;
            case "labels": fields.Labels = JsonRecords.ReadTags(ref reader, context, name); break;
            case "period_start": fields.PeriodStart = JsonRecords.ReadTimestamp(ref reader, context, name); break;
            case "period_end": fields.PeriodEnd = JsonRecords.ReadTimestamp(ref reader, context, name); break;
            case "cpu_request_core_hours": fields.CpuRequestCoreHours = JsonRecords.ReadDecimal(ref reader, context, name); break;
            case "cpu_usage_core_hours": fields.CpuUsageCoreHours = JsonRecords.ReadDecimal(ref reader, context, name); break;
            case "memory_request_gb_hours": fields.MemoryRequestGbHours = JsonRecords.ReadDecimal(ref reader, context, name); break;
            case "memory_usage_gb_hours": fields.MemoryUsageGbHours = JsonRecords.ReadDecimal(ref reader, context, name); break;
            case "storage_type": fields.StorageType = JsonRecords.ReadString(ref reader, context, name); break;
            case "storage_gb_hours": fields.StorageGbHours = JsonRecords.ReadDecimal(ref reader, context, name); break;
            case "load_balancer": fields.LoadBalancer = JsonRecords.ReadString(ref reader, context, name); break;
            case "lb_requests": fields.LbRequests = JsonRecords.ReadDecimal(ref reader, context, name); break;
            default: reader.Skip(); break;
        }
    }
}
