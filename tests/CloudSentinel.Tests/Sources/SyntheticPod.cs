namespace CloudSentinel.Tests.Sources;

/// <summary>One synthetic pod: labels, containers, an optional claim, whether a LoadBalancer Service selects it, and the hours it runs.</summary>
public sealed record SyntheticPod(
    string Namespace,
    string Name,
    string Ip,
    IReadOnlyDictionary<string, string> Labels,
    string Service,
    SyntheticContainer[] Containers,
    (string Claim, string StorageClass, long Bytes)? Volume,
    bool BehindLoadBalancer,
    Func<int, bool> RunsInHour)
{
    public decimal CpuRequest => Containers.Sum(c => c.CpuRequest);
    public decimal CpuUsage => Containers.Sum(c => c.CpuUsage);
    public decimal MemoryRequestGiB => Containers.Sum(c => c.MemoryRequestBytes) / (decimal)(1L << 30);
    public decimal WorkingSetGiB => Containers.Sum(c => c.WorkingSetBytes) / (decimal)(1L << 30);
}
