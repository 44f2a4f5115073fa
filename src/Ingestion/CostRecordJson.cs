using System.Text.Json;
using CloudSentinel.Core;

namespace CloudSentinel.Ingestion;

/// <summary>
/// Reads ingest records from a JSON array or NDJSON body with a forward-only UTF-8 reader: no DOM,
/// one pass. Type errors are collected per record (record index, field, reason); a syntax error
/// ends the read because nothing after it can be trusted to line up with record indexes.
/// </summary>
public static class CostRecordJson
{
    /// <summary>The names a cost record may have; an index is the field's bit in a record's "seen" mask.</summary>
    public static readonly FieldNames Fields = new(
        "tenant", "service_name", "cloud_provider", "cost_type", "period_start", "period_end", "cost_usd", "account_id", "sub_account_id",
        "provider_service", "service_category", "region", "resource_id", "source", "cpu_cost_usd", "memory_cost_usd", "storage_type",
        "storage_gb", "direction", "tags", "sub_account_name");

    public static RecordParse<CostRecordFields> Parse(ReadOnlyMemory<byte> body, int maxRecords) =>
        JsonRecords.Parse(body, maxRecords, Fields, ReadRecord);

    /// <summary>Hands each record to <paramref name="add"/> as soon as it is read, instead of collecting them.</summary>
    public static RecordScan ParseEach(ReadOnlyMemory<byte> body, int maxRecords, Action<CostRecordFields> add) =>
        JsonRecords.ParseEach(body, maxRecords, Fields, ReadRecord, add);

    /// <summary>Reads the record object whose <c>StartObject</c> <paramref name="reader"/> is on, with every type error in <paramref name="context"/>.</summary>
    public static CostRecordFields ReadRecord(ref Utf8JsonReader reader, RecordContext context) =>
        JsonRecords.ReadObject(ref reader, new CostRecordFields { Index = context.Index }, context, ReadField);

    private static void ReadField(ref Utf8JsonReader reader, CostRecordFields fields, string name, RecordContext context)
    {
        switch (name)
        {
            case "tenant": fields.Tenant = JsonRecords.ReadString(ref reader, context, name); break;
            case "service_name": fields.ServiceName = JsonRecords.ReadString(ref reader, context, name); break;
            case "cloud_provider": fields.Provider = JsonRecords.ReadString(ref reader, context, name); break;
            case "cost_type": fields.CostType = JsonRecords.ReadString(ref reader, context, name); break;
            case "period_start": fields.PeriodStart = JsonRecords.ReadTimestamp(ref reader, context, name); break;
            case "period_end": fields.PeriodEnd = JsonRecords.ReadTimestamp(ref reader, context, name); break;
            case "cost_usd": fields.CostUsd = JsonRecords.ReadDecimal(ref reader, context, name); break;
            case "account_id": fields.AccountId = JsonRecords.ReadString(ref reader, context, name); break;
            case "sub_account_id": fields.SubAccountId = JsonRecords.ReadString(ref reader, context, name); break;
            case "sub_account_name": fields.SubAccountName = JsonRecords.ReadString(ref reader, context, name); break;
            case "provider_service": fields.ProviderService = JsonRecords.ReadString(ref reader, context, name); break;
            case "service_category": fields.ServiceCategory = JsonRecords.ReadString(ref reader, context, name); break;
            case "region": fields.Region = JsonRecords.ReadString(ref reader, context, name); break;
            case "resource_id": fields.ResourceId = JsonRecords.ReadString(ref reader, context, name); break;
            case "source": fields.Source = JsonRecords.ReadString(ref reader, context, name); break;
            case "cpu_cost_usd": fields.CpuCostUsd = JsonRecords.ReadDecimal(ref reader, context, name); break;
            case "memory_cost_usd": fields.MemoryCostUsd = JsonRecords.ReadDecimal(ref reader, context, name); break;
            case "storage_type": fields.StorageType = JsonRecords.ReadString(ref reader, context, name); break;
            case "storage_gb": fields.StorageGb = JsonRecords.ReadDecimal(ref reader, context, name); break;
            case "direction": fields.Direction = JsonRecords.ReadString(ref reader, context, name); break;
            case "tags": fields.Tags = JsonRecords.ReadTags(ref reader, context, name); break;
            default: reader.Skip(); break;
        }
    }
}
