using Orleans.Configuration;

namespace CloudSentinel.Grains.Abstractions;

/// <summary>
/// Which Orleans cluster a host belongs to, section "Orleans" (keys ClusterId and ServiceId). Silos
/// and gateways must agree on both, so both hosts' options derive from this one definition and
/// apply it the same way.
/// </summary>
public abstract class ClusterIdentity
{
    public const string Section = "Orleans";

    public string ClusterId { get; set; } = "cloudsentinel";

    public string ServiceId { get; set; } = "cloudsentinel";

    public void ApplyTo(ClusterOptions options)
    {
        options.ClusterId = ClusterId;
        options.ServiceId = ServiceId;
    }
}
