namespace CloudSentinel.Tests.Sources;

/// <summary>One container of a synthetic pod: its requests and its constant usage.</summary>
public sealed record SyntheticContainer(string Name, decimal CpuRequest, long MemoryRequestBytes, decimal CpuUsage, long WorkingSetBytes);
