using CloudSentinel.Gateway;
using CloudSentinel.Silo;
using Microsoft.Extensions.Configuration;
using ClusterOptions = Orleans.Configuration.ClusterOptions;

namespace CloudSentinel.Tests.Unit;

/// <summary>Silos and gateways read the cluster they belong to from the same keys, with the same defaults.</summary>
public sealed class ClusterIdentityTests
{
    private static T Bind<T>(Dictionary<string, string?> settings) where T : new() =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(SiloOptions.Section).Get<T>() ?? new T();

    [Fact]
    public void Both_hosts_default_to_the_cloudsentinel_cluster_and_service()
    {
        var silo = new ClusterOptions();
        var gateway = new ClusterOptions();
        new SiloOptions().ApplyTo(silo);
        new GatewayOptions().ApplyTo(gateway);

        Assert.Equal(("cloudsentinel", "cloudsentinel"), (silo.ClusterId, silo.ServiceId));
        Assert.Equal((silo.ClusterId, silo.ServiceId), (gateway.ClusterId, gateway.ServiceId));
    }

    [Fact]
    public void Both_hosts_bind_Orleans_ClusterId_and_ServiceId_next_to_their_own_settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Orleans:ClusterId"] = "blue",
            ["Orleans:ServiceId"] = "costs",
            ["Orleans:SiloPort"] = "11112",
            ["Orleans:Gateways:0"] = "10.0.0.1:30000",
        };
        var silo = Bind<SiloOptions>(settings);
        var gateway = Bind<GatewayOptions>(settings);
        var applied = new ClusterOptions();
        gateway.ApplyTo(applied);

        Assert.Equal(("blue", "costs", 11112), (silo.ClusterId, silo.ServiceId, silo.SiloPort));
        Assert.Equal(("blue", "costs", "10.0.0.1:30000"), (gateway.ClusterId, gateway.ServiceId, gateway.Gateways.Single()));
        Assert.Equal(("blue", "costs"), (applied.ClusterId, applied.ServiceId));
    }
}
