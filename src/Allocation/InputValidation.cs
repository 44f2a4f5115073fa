using CloudSentinel.Core;

namespace CloudSentinel.Allocation;

/// <summary>
/// Rejects input that has no sensible split, naming the pod or entry and the field, before any
/// arithmetic runs: an hour is allocated whole or not at all.
/// </summary>
internal static class InputValidation
{
    public static void Validate(ClusterCost cost, IReadOnlyList<PodUsage> pods)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(pods);
        NotNegative("cluster", nameof(cost.CpuCapacityCoreHours), cost.CpuCapacityCoreHours);
        NotNegative("cluster", nameof(cost.MemoryCapacityGbHours), cost.MemoryCapacityGbHours);
        foreach (var storage in cost.Storage)
        {
            NotBlank("storage", nameof(storage.StorageType), storage.StorageType);
            NotNegative($"storage '{storage.StorageType}'", nameof(storage.ProvisionedGb), storage.ProvisionedGb);
        }

        foreach (var balancer in cost.LoadBalancers)
        {
            NotBlank("load balancer", nameof(balancer.Name), balancer.Name);
        }

        var seen = new HashSet<(string, string)>();
        foreach (var pod in pods)
        {
            NotBlank("pod", nameof(pod.Namespace), pod.Namespace);
            NotBlank($"pod in '{pod.Namespace}'", nameof(pod.PodName), pod.PodName);
            var where = $"pod '{pod.Namespace}/{pod.PodName}'";
            if (!seen.Add((pod.Namespace, pod.PodName)))
            {
                throw new ArgumentException($"{where} appears twice; send one usage row per pod and hour.", nameof(pods));
            }

            if (pod.ServiceName == CostVocabulary.IdleService)
            {
                throw new ArgumentException($"{where}: ServiceName '{CostVocabulary.IdleService}' is reserved for idle cost.", nameof(pods));
            }

            NotNegative(where, nameof(pod.CpuRequestCoreHours), pod.CpuRequestCoreHours);
            NotNegative(where, nameof(pod.CpuUsageCoreHours), pod.CpuUsageCoreHours);
            NotNegative(where, nameof(pod.MemoryRequestGbHours), pod.MemoryRequestGbHours);
            NotNegative(where, nameof(pod.MemoryUsageGbHours), pod.MemoryUsageGbHours);
            NotNegative(where, nameof(pod.StorageGbHours), pod.StorageGbHours);
            NotNegative(where, nameof(pod.LbRequests), pod.LbRequests);
        }
    }

    private static void NotNegative(string where, string field, decimal? value)
    {
        if (value < 0)
        {
            throw new ArgumentException($"{where}: {field} must not be negative (was {value}).", field);
        }
    }

    private static void NotBlank(string where, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{where}: {field} is required.", field);
        }
    }
}
