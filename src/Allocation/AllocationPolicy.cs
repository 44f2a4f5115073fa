using System.Collections.Frozen;
using CloudSentinel.Core;

namespace CloudSentinel.Allocation;

/// <summary>What happens to capacity that no pod asked for or used.</summary>
public enum IdleMode
{
    /// <summary>Idle cost is spread over the services in proportion to their weight, per resource.</summary>
    Share,

    /// <summary>Idle cost is reported as its own service, <see cref="CostVocabulary.IdleService"/>.</summary>
    Separate,
}

/// <summary>Per-tenant allocation settings.</summary>
public sealed record AllocationPolicy
{
    public static readonly IReadOnlySet<string> DefaultSystemNamespaces =
        new[] { "kube-system" }.ToFrozenSet(StringComparer.Ordinal);

    public static AllocationPolicy Default { get; } = new();

    public IdleMode IdleMode { get; init; } = IdleMode.Share;

    /// <summary>Namespaces whose pods serve the whole cluster rather than one application.</summary>
    public IReadOnlySet<string> SystemNamespaces { get; init; } = DefaultSystemNamespaces;

    /// <summary>
    /// When true, the cost of pods in <see cref="SystemNamespaces"/> is moved to the other services
    /// in proportion to their own weight, because those pods exist to serve them.
    /// </summary>
    public bool ShareSystemNamespaces { get; init; } = true;
}
