using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Ingestion;

/// <summary>
/// Turns sent usage fields into a canonical <see cref="UsageRecord"/>, or says precisely why not,
/// with the same limits and error shape as <see cref="CostRecordValidator"/>.
/// </summary>
public sealed class UsageRecordValidator(IngestLimits limits, TimeProvider clock)
{
    /// <summary>Pod labels that name the application, in order of preference (Kubernetes' recommended label first).</summary>
    public static readonly string[] ServiceLabels = ["app.kubernetes.io/name", "app"];

    private const int MaxNameLength = 253;
    private const int MaxLabels = 64;
    private const decimal MaxQuantity = 1_000_000_000m;

    public UsageRecord? Validate(UsageRecordFields f, List<IngestError> errors)
    {
        var before = errors.Count;
        var index = f.Index;
        void Fail(string field, string reason)
        {
            if (!f.IsInvalid(field)) errors.Add(new IngestError(index, field, reason));
        }

        if (Names.CheckTenant(f.Tenant) is { } tenantProblem) Fail("tenant", tenantProblem);
        var cluster = RequiredName(f.ClusterName, "cluster_name", Fail);
        var ns = RequiredName(f.Namespace, "namespace", Fail);
        var pod = RequiredName(f.PodName, "pod_name", Fail);

        var (service, serviceField) = ResolveService(f);
        if (Names.CheckServiceName(service) is { } serviceProblem) Fail(serviceField, serviceProblem);
        else if (service == CostVocabulary.IdleService) Fail(serviceField, $"'{CostVocabulary.IdleService}' is reserved for cost that nobody used");

        if (f.PeriodStart is null) Fail("period_start", "is required (RFC 3339, e.g. 2026-11-25T14:00:00Z)");
        var start = f.PeriodStart ?? default;
        var end = f.PeriodEnd ?? HourlySpread.OneHourAfter(start);
        if (f.PeriodStart is not null)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            if (start > now + limits.MaxFutureSkew) Fail("period_start", $"{start:O} is more than {limits.MaxFutureSkew.TotalHours:0} h in the future");
            else if (start < now - limits.MaxAge) Fail("period_start", $"{start:O} is older than {limits.MaxAge.TotalDays:0} days (Ingest:MaxAge)");
            if (end <= start) Fail("period_end", $"{end:O} is not after period_start {start:O}");
            else if (end - start > limits.MaxPeriod) Fail("period_end", $"the period is longer than {limits.MaxPeriod.TotalDays:0} days");
        }

        Quantity(f.CpuRequestCoreHours, "cpu_request_core_hours", Fail);
        Quantity(f.CpuUsageCoreHours, "cpu_usage_core_hours", Fail);
        Quantity(f.MemoryRequestGbHours, "memory_request_gb_hours", Fail);
        Quantity(f.MemoryUsageGbHours, "memory_usage_gb_hours", Fail);
        Quantity(f.StorageGbHours, "storage_gb_hours", Fail);
        Quantity(f.LbRequests, "lb_requests", Fail);
        var storageType = OptionalName(f.StorageType, "storage_type", Fail);
        var balancer = OptionalName(f.LoadBalancer, "load_balancer", Fail);
        // Without the name the quantity belongs to no pool; that is a mistake in the sender, not a zero.
        if (f.StorageGbHours > 0 && storageType is null && !f.IsInvalid("storage_type")) Fail("storage_gb_hours", "needs storage_type: GB-hours are shared per storage type");
        if (f.LbRequests > 0 && balancer is null && !f.IsInvalid("load_balancer")) Fail("lb_requests", "needs load_balancer: requests are shared per load balancer");
        if (f.Labels is { Count: > MaxLabels }) Fail("labels", $"has {f.Labels.Count} entries; at most {MaxLabels} are allowed");

        if (errors.Count > before || f.HasInvalidFields) return null;

        return new UsageRecord
        {
            Tenant = f.Tenant!,
            ClusterName = cluster!,
            PeriodStart = start,
            PeriodEnd = end,
            Pod = new PodUsage
            {
                Namespace = ns!,
                PodName = pod!,
                ServiceName = service,
                CpuRequestCoreHours = f.CpuRequestCoreHours ?? 0m,
                CpuUsageCoreHours = f.CpuUsageCoreHours ?? 0m,
                MemoryRequestGbHours = f.MemoryRequestGbHours ?? 0m,
                MemoryUsageGbHours = f.MemoryUsageGbHours ?? 0m,
                StorageType = storageType,
                StorageGbHours = f.StorageGbHours ?? 0m,
                LoadBalancer = balancer,
                LbRequests = f.LbRequests ?? 0m,
            },
        };
    }

    /// <summary>service_name, else the first application label, else untagged; and the field a problem is reported on.</summary>
    public static (string Service, string Field) ResolveService(UsageRecordFields f)
    {
        if (!string.IsNullOrWhiteSpace(f.ServiceName)) return (f.ServiceName.Trim(), "service_name");
        foreach (var label in ServiceLabels)
        {
            if (f.Labels?.GetValueOrDefault(label) is { } value && !string.IsNullOrWhiteSpace(value)) return (value.Trim(), $"labels.{label}");
        }

        return (CostVocabulary.UntaggedService, "service_name");
    }

    private static string? RequiredName(string? value, string field, Action<string, string> fail)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            fail(field, "is required");
            return null;
        }

        return OptionalName(value, field, fail);
    }

    private static string? OptionalName(string? value, string field, Action<string, string> fail)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var trimmed = value.Trim();
        if (trimmed.Length > MaxNameLength) fail(field, $"is longer than {MaxNameLength} characters");
        else if (Names.CheckVisible(trimmed) is { } problem) fail(field, problem);
        return trimmed;
    }

    private static void Quantity(decimal? value, string field, Action<string, string> fail)
    {
        if (value is < 0) fail(field, $"must not be negative (was {value})");
        else if (value > MaxQuantity) fail(field, $"{value} exceeds the limit of {MaxQuantity} for one record");
    }
}
