namespace CloudSentinel.Dashboards.Tests;

/// <summary>The recording rules shipped for a cluster's own Prometheus, checked and unit-tested by the real promtool.</summary>
public sealed class KubernetesUsageRulesTests
{
    private static string Directory => RepoPaths.Combine("prometheus", "cluster-rules");

    [Fact]
    public void Kubernetes_usage_recording_rules_are_valid()
    {
        var result = Promtool.Run("check", "rules", Path.Combine(Directory, "kubernetes-usage.yml"));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("4 rules found", result.Output);
    }

    [Fact]
    public void Kubernetes_usage_recording_rules_sum_containers_and_leave_out_cadvisor_pod_and_pause_series()
    {
        var result = Promtool.Run("test", "rules", Path.Combine(Directory, "kubernetes-usage.test.yml"));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS", result.Output);
    }
}
