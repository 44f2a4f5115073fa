using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Ingestion;

/// <summary>
/// What a source said about one hourly bucket beyond its amount (table service_cost_details); the currency it
/// billed in, when not USD, with the rate the bucket's <c>cost_usd</c> was converted at.
/// </summary>
public sealed record BucketDetail(string Tenant, string Service, BucketKey Key, string? ProviderService, string? Region, string? SubAccountName,
    string? BillingCurrency = null, decimal? UsdRate = null);
