using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Ingestion;

/// <summary>What a source said about one hourly bucket beyond its amount (table service_cost_details).</summary>
public sealed record BucketDetail(string Tenant, string Service, BucketKey Key, string? ProviderService, string? Region, string? SubAccountName);
