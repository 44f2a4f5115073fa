using System.Text.Json;
using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Ingestion;

/// <summary>What reading one record the fast way came to.</summary>
public enum LineItemRead
{
    /// <summary>The record is valid and its fields are in the line item: fold it.</summary>
    Valid,

    /// <summary>Something about the record needs the validator's own words (or is unusual): read it again as <see cref="CostRecordFields"/>.</summary>
    Slow,

    /// <summary>The record does not end inside the bytes at hand.</summary>
    NeedMore,
}

/// <summary>
/// Reads one cost record object into a reused <see cref="CostLineItem"/> and decides whether it is
/// valid, allocating nothing for a record whose values the request has seen before: names and
/// timestamps are looked up by their raw bytes in tables of the request (<see cref="Utf8Table{T}"/>),
/// decoded and checked once per distinct value; free-text fields and tags are checked on their raw
/// bytes (<see cref="RawText"/>) and never become strings. It says <see cref="LineItemRead.Valid"/>
/// only for a record that <see cref="CostRecordValidator.Validate"/> and the cluster router would
/// accept and route to its service; for anything else it says <see cref="LineItemRead.Slow"/>, and
/// the caller reads the record the old way, so refused records keep exactly the validator's errors.
/// </summary>
public sealed class CostLineItemReader(CostRecordValidator validator, ClusterCostRouter router)
{
    private const int MaxTextLength = 256;
    private const int MaxSourceLength = 64;
    private const int MaxTags = 64;

    // A field's bit in the "seen" mask is its index here (the same list the slow reader uses).
    private static readonly FieldNames Fields = CostRecordJson.Fields;
    private static readonly int Tenant = Fields.IndexOf("tenant"), Service = Fields.IndexOf("service_name"), Provider = Fields.IndexOf("cloud_provider"),
        CostType = Fields.IndexOf("cost_type"), Start = Fields.IndexOf("period_start"), End = Fields.IndexOf("period_end"), Cost = Fields.IndexOf("cost_usd"),
        Account = Fields.IndexOf("account_id"), SubAccount = Fields.IndexOf("sub_account_id"), ProviderService = Fields.IndexOf("provider_service"),
        Category = Fields.IndexOf("service_category"), Region = Fields.IndexOf("region"), Resource = Fields.IndexOf("resource_id"), Source = Fields.IndexOf("source"),
        Cpu = Fields.IndexOf("cpu_cost_usd"), Memory = Fields.IndexOf("memory_cost_usd"), StorageType = Fields.IndexOf("storage_type"), StorageGb = Fields.IndexOf("storage_gb"),
        Direction = Fields.IndexOf("direction"), Tags = Fields.IndexOf("tags"), SubAccountName = Fields.IndexOf("sub_account_name");

    // One table per name field: the same bytes mean different things in different fields (a service's name is trimmed, a provider's lower-cased).
    private readonly Utf8Table<string?>[] _names = Enumerable.Range(0, Fields.Count).Select(_ => new Utf8Table<string?>()).ToArray();
    private readonly Utf8Table<DateTime?> _timestamps = new();

    // Where the record's tag keys and unknown names lie in the input, to find repeats without making strings.
    private readonly (int Start, int Length)[] _tagKeys = new (int, int)[MaxTags];
    private readonly (int Start, int Length)[] _otherNames = new (int, int)[16];

    /// <summary>How many distinct names and timestamps the request has made strings and values of (what it allocated for them).</summary>
    public int DistinctValues => _names.Sum(t => t.Count) + _timestamps.Count;

    /// <summary>
    /// Reads the record whose <c>StartObject</c> <paramref name="reader"/> is on. <paramref name="input"/>
    /// is the reader's input (to locate names); <paramref name="item"/> must be reset by the caller.
    /// </summary>
    public LineItemRead Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> input, ref CostLineItem item)
    {
        ulong seen = 0;
        var others = 0;
        while (true)
        {
            if (!reader.Read()) return LineItemRead.NeedMore;
            if (reader.TokenType == JsonTokenType.EndObject) break;
            if (reader.ValueIsEscaped) return LineItemRead.Slow;
            var field = Fields.IndexOf(reader.ValueSpan);
            if (field < 0)
            {
                // Unknown names are skipped, but a repeated one or one that is not valid UTF-8 is the slow reader's error.
                if (others == _otherNames.Length || !System.Text.Unicode.Utf8.IsValid(reader.ValueSpan) || Repeats(_otherNames, others, input, reader)) return LineItemRead.Slow;
                _otherNames[others++] = ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
                if (!reader.Read() || !reader.TrySkip()) return LineItemRead.NeedMore;
                continue;
            }

            if ((seen & (1UL << field)) != 0) return LineItemRead.Slow;
            seen |= 1UL << field;
            if (!reader.Read()) return LineItemRead.NeedMore;
            if (!ReadField(ref reader, input, field, ref item, out var needMore)) return needMore ? LineItemRead.NeedMore : LineItemRead.Slow;
        }

        return validator.Accepts(item) ? LineItemRead.Valid : LineItemRead.Slow;
    }

    /// <summary>Reads one known field's value; false when the record must be read the slow way (or, with <paramref name="needMore"/>, later).</summary>
    private bool ReadField(ref Utf8JsonReader reader, ReadOnlySpan<byte> input, int field, ref CostLineItem item, out bool needMore)
    {
        needMore = false;
        if (field == Tenant) return Name(ref reader, field, ref item.Tenant);
        if (field == Service) return Name(ref reader, field, ref item.ServiceName);
        if (field == Provider) return Name(ref reader, field, ref item.Provider);
        if (field == CostType) return Name(ref reader, field, ref item.CostType);
        if (field == Account) return Name(ref reader, field, ref item.AccountId);
        if (field == Source) return Name(ref reader, field, ref item.Source);
        if (field == StorageType) return Name(ref reader, field, ref item.StorageType);
        if (field == Direction) return Name(ref reader, field, ref item.Direction);
        if (field == Start) return Timestamp(ref reader, ref item.PeriodStart);
        if (field == End) return Timestamp(ref reader, ref item.PeriodEnd);
        if (field == Cost) return Amount(ref reader, ref item.CostUsd);
        if (field == Cpu) return Amount(ref reader, ref item.CpuCostUsd);
        if (field == Memory) return Amount(ref reader, ref item.MemoryCostUsd);
        if (field == StorageGb) return Amount(ref reader, ref item.StorageGb);
        if (field == Tags) return CheckTags(ref reader, input, out needMore);
        // A resource id may be a cluster node's instance (ClusterNodeMap): the slow reader routes such a record to its cluster.
        if (field == Resource && reader.TokenType == JsonTokenType.String && router.RoutesByResource) return false;
        if (field == ProviderService) return Description(ref reader, field, ref item.ProviderService);
        if (field == Region) return Description(ref reader, field, ref item.Region);
        if (field == SubAccountName) return Description(ref reader, field, ref item.SubAccountName);
        // Sub-account, category, resource id: checked, never kept.
        return reader.TokenType == JsonTokenType.Null ||
               (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && RawText.IsStorable(reader.ValueSpan, MaxTextLength));
    }

    /// <summary>A description kept verbatim, as the validator keeps it, and interned for the request; a JSON null is none.</summary>
    private bool Description(ref Utf8JsonReader reader, int field, ref string? value)
    {
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || !RawText.IsStorable(reader.ValueSpan, MaxTextLength)) return false;
        var table = _names[field];
        if (!table.TryGet(reader.ValueSpan, out var known))
        {
            known = reader.GetString();
            table.Add(reader.ValueSpan, known);
        }

        value = known;
        return true;
    }

    /// <summary>A name field, canonical and interned; false when it is missing where required, not text, or not valid.</summary>
    private bool Name(ref Utf8JsonReader reader, int field, ref string? value)
    {
        // A JSON null is what leaving the field out is: the validator's default (or its "is required").
        if (reader.TokenType == JsonTokenType.Null) return field != Tenant && field != Provider && field != CostType;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped) return false;
        var table = _names[field];
        if (!table.TryGet(reader.ValueSpan, out var known))
        {
            string text;
            try
            {
                text = reader.GetString()!;
            }
            catch (InvalidOperationException)
            {
                return false;
            }

            known = Canonical(field, text);
            table.Add(reader.ValueSpan, known);
        }

        value = known;
        return known is not null;
    }

    /// <summary>The value <see cref="CostRecordValidator.Validate"/> makes of a name it accepts, or null when it would refuse it.</summary>
    private static string? Canonical(int field, string text)
    {
        if (field == Tenant) return Names.CheckTenant(text) is null ? text : null;
        if (field == Service)
        {
            var service = string.IsNullOrWhiteSpace(text) ? CostVocabulary.UntaggedService : text.Trim();
            return Names.CheckServiceName(service) is null ? service : null;
        }

        if (field == Provider) return Vocabulary(text, CostVocabulary.Providers);
        if (field == CostType) return Vocabulary(text, CostVocabulary.CostTypes);
        if (field == Direction) return Vocabulary(text, CostVocabulary.Directions);
        if (field == Source) return text.Length <= MaxSourceLength && Names.CheckStorable(text) is null ? text.Trim() : null;
        // Account and storage type: free text, kept trimmed.
        return text.Length <= MaxTextLength && Names.CheckStorable(text) is null ? text.Trim() : null;
    }

    private static string? Vocabulary(string text, IReadOnlySet<string> words)
    {
        var word = text.Trim().ToLowerInvariant();
        return words.Contains(word) ? word : null;
    }

    private bool Timestamp(ref Utf8JsonReader reader, ref DateTime? value)
    {
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped) return false;
        if (!_timestamps.TryGet(reader.ValueSpan, out var known))
        {
            try
            {
                known = JsonRecords.TryParseRfc3339(reader.GetString()!, out var parsed) ? parsed : null;
            }
            catch (InvalidOperationException)
            {
                return false;
            }

            _timestamps.Add(reader.ValueSpan, known);
        }

        value = known;
        return known is not null;
    }

    private static bool Amount(ref Utf8JsonReader reader, ref decimal? value)
    {
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out var amount)) return false;
        value = amount;
        return true;
    }

    /// <summary>Tags are only checked: string values, at most 64, each key once, no key that names a cluster (those records are routed the slow way).</summary>
    private bool CheckTags(ref Utf8JsonReader reader, ReadOnlySpan<byte> input, out bool needMore)
    {
        needMore = false;
        if (reader.TokenType == JsonTokenType.Null) return true;
        if (reader.TokenType != JsonTokenType.StartObject) return false;
        var count = 0;
        while (true)
        {
            if (!reader.Read()) return !(needMore = true);
            if (reader.TokenType == JsonTokenType.EndObject) return true;
            var key = reader.ValueSpan;
            if (reader.ValueIsEscaped || count == MaxTags || key.IsEmpty || !RawText.IsStorable(key, MaxTextLength) ||
                router.MayNameCluster(key) || Repeats(_tagKeys, count, input, reader))
            {
                return false;
            }

            _tagKeys[count++] = ((int)reader.TokenStartIndex + 1, key.Length);
            if (!reader.Read()) return !(needMore = true);
            if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || !RawText.IsStorable(reader.ValueSpan, MaxTextLength)) return false;
        }
    }

    /// <summary>Whether the property name <paramref name="reader"/> is on equals one of the first <paramref name="count"/> names at <paramref name="names"/>.</summary>
    private static bool Repeats((int Start, int Length)[] names, int count, ReadOnlySpan<byte> input, in Utf8JsonReader reader)
    {
        var name = reader.ValueSpan;
        for (var i = 0; i < count; i++)
        {
            if (input.Slice(names[i].Start, names[i].Length).SequenceEqual(name)) return true;
        }

        return false;
    }
}
