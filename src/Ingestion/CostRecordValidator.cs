using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Ingestion;

/// <summary>
/// Turns sent fields into a canonical <see cref="CostRecord"/>, or says precisely why not.
/// Every rule lives here so that HTTP, files and pollers reject the same things the same way.
/// </summary>
public sealed class CostRecordValidator(IngestLimits limits, TimeProvider clock)
{
    private const int MaxTextLength = 256;
    private const int MaxTags = 64;

    public CostRecord? Validate(CostRecordFields f, List<IngestError> errors)
    {
        var before = errors.Count;
        var index = f.Index;
        // A field sent with the wrong type is already reported; do not also call it missing.
        void Fail(string field, string reason)
        {
            if (!f.IsInvalid(field)) errors.Add(new IngestError(index, field, reason));
        }

        if (Names.CheckTenant(f.Tenant) is { } tenantProblem) Fail("tenant", tenantProblem);

        var serviceName = string.IsNullOrWhiteSpace(f.ServiceName) ? CostVocabulary.UntaggedService : f.ServiceName.Trim();
        if (Names.CheckServiceName(serviceName) is { } serviceProblem) Fail("service_name", serviceProblem);

        var provider = f.Provider?.Trim().ToLowerInvariant();
        if (provider is null) Fail("cloud_provider", "is required (aws, gcp, azure, oci, other)");
        else if (!CostVocabulary.Providers.Contains(provider)) Fail("cloud_provider", $"'{provider}' is not one of aws, gcp, azure, oci, other");

        var costType = f.CostType?.Trim().ToLowerInvariant();
        if (costType is null) Fail("cost_type", "is required (compute, storage, network, database, other)");
        else if (!CostVocabulary.CostTypes.Contains(costType)) Fail("cost_type", $"'{costType}' is not one of compute, storage, network, database, other");

        CheckPeriod(f, Fail, out var start, out var end);
        CheckAmount(f.CostUsd, "cost_usd", required: true, Fail);
        CheckAmount(f.CpuCostUsd, "cpu_cost_usd", required: false, Fail);
        CheckAmount(f.MemoryCostUsd, "memory_cost_usd", required: false, Fail);
        if ((f.CpuCostUsd is not null || f.MemoryCostUsd is not null) && costType is not null && costType != "compute")
        {
            Fail(f.CpuCostUsd is not null ? "cpu_cost_usd" : "memory_cost_usd", "is only valid when cost_type is compute");
        }

        if (f.StorageGb is < 0) Fail("storage_gb", "must not be negative");
        if ((f.StorageType is not null || f.StorageGb is not null) && costType is not null && costType != "storage")
        {
            Fail(f.StorageType is not null ? "storage_type" : "storage_gb", "is only valid when cost_type is storage");
        }

        var direction = f.Direction?.Trim().ToLowerInvariant();
        if (direction is not null)
        {
            if (!CostVocabulary.Directions.Contains(direction)) Fail("direction", $"'{direction}' is not one of ingress, egress");
            else if (costType is not null && costType != "network") Fail("direction", "is only valid when cost_type is network");
        }

        CheckText(f.AccountId, "account_id", Fail);
        CheckText(f.SubAccountId, "sub_account_id", Fail);
        CheckText(f.SubAccountName, "sub_account_name", Fail);
        CheckText(f.ProviderService, "provider_service", Fail);
        CheckText(f.ServiceCategory, "service_category", Fail);
        CheckText(f.Region, "region", Fail);
        CheckText(f.ResourceId, "resource_id", Fail);
        CheckText(f.StorageType, "storage_type", Fail);
        if (f.Source is { Length: > 64 }) Fail("source", "is longer than 64 characters");
        else if (Names.CheckStorable(f.Source) is { } sourceProblem) Fail("source", sourceProblem);
        CheckTags(f.Tags, Fail);

        if (errors.Count > before || f.HasInvalidFields) return null;

        return new CostRecord
        {
            Tenant = f.Tenant!,
            ServiceName = serviceName,
            Provider = provider!,
            CostType = costType!,
            PeriodStart = start,
            PeriodEnd = end,
            CostUsd = f.CostUsd!.Value,
            AccountId = f.AccountId?.Trim() ?? "",
            SubAccountId = f.SubAccountId,
            SubAccountName = f.SubAccountName,
            ProviderService = f.ProviderService,
            ServiceCategory = f.ServiceCategory,
            Region = f.Region,
            ResourceId = f.ResourceId,
            Source = f.Source?.Trim() ?? "",
            CpuCostUsd = f.CpuCostUsd,
            MemoryCostUsd = f.MemoryCostUsd,
            StorageType = f.StorageType?.Trim(),
            StorageGb = f.StorageGb,
            Direction = direction,
            Tags = f.Tags,
        };
    }

    /// <summary>
    /// Whether <see cref="Validate"/> would accept a record the fast reader read: the record-level
    /// rules on a line item whose names the reader already found valid (required fields, period,
    /// amounts, and which fields each cost type allows). False sends the record to <see cref="Validate"/>.
    /// </summary>
    public bool Accepts(in CostLineItem item)
    {
        if (item.Tenant is null || item.Provider is null || item.CostType is not { } costType || item.PeriodStart is not { } start || item.CostUsd is not { } cost) return false;
        var end = item.PeriodEnd ?? HourlySpread.OneHourAfter(start);
        var now = clock.GetUtcNow().UtcDateTime;
        if (start > now + limits.MaxFutureSkew || start < now - limits.MaxAge || end <= start || end - start > limits.MaxPeriod) return false;
        if (!WithinLimit(cost) || (item.CpuCostUsd is { } cpu && !WithinLimit(cpu)) || (item.MemoryCostUsd is { } memory && !WithinLimit(memory))) return false;
        if ((item.CpuCostUsd is not null || item.MemoryCostUsd is not null) && costType != "compute") return false;
        if (item.StorageGb is < 0 || ((item.StorageType is not null || item.StorageGb is not null) && costType != "storage")) return false;
        return item.Direction is null || costType == "network";
    }

    private bool WithinLimit(decimal amount) => Math.Abs(amount) <= limits.MaxAbsCostUsd;

    private void CheckPeriod(CostRecordFields f, Action<string, string> fail, out DateTime start, out DateTime end)
    {
        start = f.PeriodStart ?? default;
        end = f.PeriodEnd ?? HourlySpread.OneHourAfter(start);
        if (f.PeriodStart is null)
        {
            fail("period_start", "is required (RFC 3339, e.g. 2026-11-25T14:00:00Z)");
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (start > now + limits.MaxFutureSkew)
        {
            fail("period_start", $"{start:O} is more than {limits.MaxFutureSkew.TotalHours:0} h in the future");
        }
        else if (start < now - limits.MaxAge)
        {
            fail("period_start", $"{start:O} is older than {limits.MaxAge.TotalDays:0} days (Ingest:MaxAge)");
        }

        if (end <= start) fail("period_end", $"{end:O} is not after period_start {start:O}");
        else if (end - start > limits.MaxPeriod) fail("period_end", $"the charge period is longer than {limits.MaxPeriod.TotalDays:0} days");
    }

    private void CheckAmount(decimal? value, string field, bool required, Action<string, string> fail)
    {
        if (value is null)
        {
            if (required) fail(field, "is required (a number in USD; negative for credits)");
        }
        else if (Math.Abs(value.Value) > limits.MaxAbsCostUsd)
        {
            fail(field, $"{value.Value} exceeds the limit of ±{limits.MaxAbsCostUsd} USD for one record");
        }
    }

    private static void CheckText(string? value, string field, Action<string, string> fail)
    {
        if (value is { Length: > MaxTextLength }) fail(field, $"is longer than {MaxTextLength} characters");
        else if (Names.CheckStorable(value) is { } problem) fail(field, problem);
    }

    private static void CheckTags(Dictionary<string, string>? tags, Action<string, string> fail)
    {
        if (tags is null) return;
        if (tags.Count > MaxTags) fail("tags", $"has {tags.Count} entries; at most {MaxTags} are kept per record");
        foreach (var (key, value) in tags)
        {
            if (key.Length is 0 or > MaxTextLength) fail("tags", $"key '{key}' must be 1 to {MaxTextLength} characters");
            else if (Names.CheckStorable(key) is { } keyProblem) fail("tags", $"a key {keyProblem}");
            if (value.Length > MaxTextLength) fail($"tags.{key}", $"is longer than {MaxTextLength} characters");
            else if (Names.CheckStorable(value) is { } valueProblem) fail($"tags.{key}", valueProblem);
        }
    }
}
