namespace CloudSentinel.Gateway.Metrics;

/// <summary>
/// What the shipped alert rules page on. Section "Alerts". The gateway exports the floor of every tenant
/// it shows as <c>cloudsentinel_anomaly_impact_floor_usd{tenant}</c>, and CostAnomalyDetected pages only
/// on a flagged hour whose |actual − expected| is above it (docs/dashboards.md, "Alert thresholds"):
/// a flagged hour of a service that costs cents is real but not worth waking anyone for.
/// </summary>
public sealed class AlertOptions
{
    public const string Section = "Alerts";

    /// <summary>USD of impact a flagged hour must exceed to page, for tenants without a floor of their own.</summary>
    public decimal AnomalyImpactFloorUsd { get; set; } = 10m;

    /// <summary>Per-tenant floors (tenant id → USD), e.g. <c>Alerts__TenantAnomalyImpactFloorUsd__acme=50</c>.</summary>
    public Dictionary<string, decimal> TenantAnomalyImpactFloorUsd { get; set; } = new(StringComparer.Ordinal);

    public decimal FloorFor(string tenant) => TenantAnomalyImpactFloorUsd.GetValueOrDefault(tenant, AnomalyImpactFloorUsd);

    public AlertOptions Validate()
    {
        if (AnomalyImpactFloorUsd < 0) throw new ArgumentException("Alerts:AnomalyImpactFloorUsd must not be negative");
        foreach (var (tenant, floor) in TenantAnomalyImpactFloorUsd)
        {
            if (floor < 0) throw new ArgumentException($"Alerts:TenantAnomalyImpactFloorUsd:{tenant} must not be negative");
        }

        return this;
    }
}
