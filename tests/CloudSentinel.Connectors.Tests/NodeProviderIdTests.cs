using Xunit;

namespace CloudSentinel.Connectors.Tests;

/// <summary>kube_node_info's provider_id as the resource id the bill carries for the node's instance (docs/allocation.md, "Nodes").</summary>
public sealed class NodeProviderIdTests
{
    [Theory]
    [InlineData("aws:///us-east-1a/i-0abc123def4567890", "i-0abc123def4567890")]
    [InlineData("aws:///eu-west-1c/i-0ABC", "i-0abc")]
    [InlineData("gce://my-project/europe-west1-b/gke-prod-pool-1-9f8e", "gke-prod-pool-1-9f8e")]
    [InlineData("azure:///subscriptions/0000-11/resourceGroups/MC_rg_prod/providers/Microsoft.Compute/virtualMachines/aks-nodes-0",
        "/subscriptions/0000-11/resourcegroups/mc_rg_prod/providers/microsoft.compute/virtualmachines/aks-nodes-0")]
    [InlineData(" azure:///subscriptions/S/resourceGroups/R/providers/Microsoft.Compute/virtualMachineScaleSets/aks-pool/virtualMachines/3 ",
        "/subscriptions/s/resourcegroups/r/providers/microsoft.compute/virtualmachinescalesets/aks-pool/virtualmachines/3")]
    public void A_provider_id_of_each_cloud_becomes_the_billed_instance_id(string providerId, string expected)
    {
        Assert.Equal(expected, NodeProviderId.ToInstanceId(providerId, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("aws:///us-east-1a/")]
    [InlineData("aws:///us-east-1a/vol-0abc")]
    [InlineData("gce://my-project/gke-node")]
    [InlineData("gce://my-project//gke-node")]
    [InlineData("azure:///subscriptions/S/resourceGroups/R")]
    [InlineData("azure:///subscriptions/S/resourceGroups/R/providers/Microsoft.Compute/virtualMachines/")]
    [InlineData("vsphere://4213a2b0-1c2d")]
    [InlineData("i-0abc123")]
    public void A_malformed_provider_id_is_ignored_with_the_reason(string providerId)
    {
        Assert.Null(NodeProviderId.ToInstanceId(providerId, out var problem));
        Assert.Equal(
            $"provider_id \"{providerId}\" is none of aws:///<zone>/i-<id>, gce://<project>/<zone>/<name>, azure:///subscriptions/…/virtualMachines/<name>: " +
            "this node's cost is attributed to the cluster only through a cluster tag on its bill", problem);
    }
}
