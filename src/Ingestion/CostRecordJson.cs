using System.Text.Json;

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

/// <summary>What every record kind's sent fields share: its position, and the fields sent with the wrong type.</summary>
public abstract class RecordFields
{
    public long Index { get; init; }

    // Most records have no invalid field; the set is made on the first one.
    private HashSet<string>? _invalidFields;

    /// <summary>Whether any field was sent with the wrong JSON type (its error is already reported).</summary>
    public bool HasInvalidFields => _invalidFields is { Count: > 0 };

    /// <summary>Whether <paramref name="field"/> was sent with the wrong JSON type: its error is already reported.</summary>
    public bool IsInvalid(string field) => _invalidFields?.Contains(field) == true;

    public void MarkInvalid(string field) => (_invalidFields ??= new HashSet<string>(StringComparer.Ordinal)).Add(field);
}

/// <summary>The fields of one cost record as they were sent, before validation.</summary>
public sealed class CostRecordFields : RecordFields
{
    public string? Tenant { get; set; }
    public string? ServiceName { get; set; }
    public string? Provider { get; set; }
    public string? CostType { get; set; }
    public DateTime? PeriodStart { get; set; }
    public DateTime? PeriodEnd { get; set; }
    public decimal? CostUsd { get; set; }
    public string? AccountId { get; set; }
    public string? SubAccountId { get; set; }
    public string? SubAccountName { get; set; }
    public string? ProviderService { get; set; }
    public string? ServiceCategory { get; set; }
    public string? Region { get; set; }
    public string? ResourceId { get; set; }
    public string? Source { get; set; }
    public decimal? CpuCostUsd { get; set; }
    public decimal? MemoryCostUsd { get; set; }
    public string? StorageType { get; set; }
    public decimal? StorageGb { get; set; }
    public string? Direction { get; set; }
    public Dictionary<string, string>? Tags { get; set; }

    /// <summary>The fields of a record read from a file or an API, so that it meets the same rules as one sent over HTTP.</summary>
    public static CostRecordFields From(CostRecord r, long index) => new()
    {
        Index = index,
        Tenant = r.Tenant,
        ServiceName = r.ServiceName,
        Provider = r.Provider,
        CostType = r.CostType,
        PeriodStart = r.PeriodStart,
        PeriodEnd = r.PeriodEnd,
        CostUsd = r.CostUsd,
        AccountId = r.AccountId,
        SubAccountId = r.SubAccountId,
        SubAccountName = r.SubAccountName,
        ProviderService = r.ProviderService,
        ServiceCategory = r.ServiceCategory,
        Region = r.Region,
        ResourceId = r.ResourceId,
        Source = r.Source,
        CpuCostUsd = r.CpuCostUsd,
        MemoryCostUsd = r.MemoryCostUsd,
        StorageType = r.StorageType,
        StorageGb = r.StorageGb,
        Direction = r.Direction,
        Tags = r.Tags is null ? null : new Dictionary<string, string>(r.Tags),
    };
}
