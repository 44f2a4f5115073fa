namespace CloudSentinel.Grains;

/// <summary>How service grains keep and report their state. Section "ServiceCosts".</summary>
public sealed class ServiceCostOptions
{
    public const string Section = "ServiceCosts";

    /// <summary>How much hourly history a grain keeps in memory (and restores on activation).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(35);

    /// <summary>How often a grain with changes pushes its snapshot to the metrics shards.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a grain without changes re-publishes (the latest hour moves with the clock).</summary>
    public TimeSpan SnapshotRefresh { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Changed hours at most this old are judged for anomalies the moment they land.</summary>
    public TimeSpan ImmediateJudgement { get; set; } = TimeSpan.FromHours(48);

    /// <summary>
    /// Older changed hours (backfills, late restatements) are judged in the background: at most this
    /// many verdicts per second across the silo, so a bulk load does not spend its CPU on history.
    /// </summary>
    public int BackgroundJudgementsPerSecond { get; set; } = 1_000;

    /// <summary>
    /// Background verdicts one grain takes per tick at most. A verdict reads five weeks of hours (about
    /// 0.1–0.25 ms); a grain busy with a long batch of them would hold up its next Apply, and with it
    /// the freshness of that service's newest hour.
    /// </summary>
    public int BackgroundJudgementsPerTick { get; set; } = 64;

    public void Validate()
    {
        if (ImmediateJudgement < TimeSpan.FromHours(1)) throw new ArgumentException("ServiceCosts:ImmediateJudgement must be at least one hour");
        if (BackgroundJudgementsPerSecond < 1) throw new ArgumentException("ServiceCosts:BackgroundJudgementsPerSecond must be positive");
        if (BackgroundJudgementsPerTick < 1) throw new ArgumentException("ServiceCosts:BackgroundJudgementsPerTick must be positive");
        if (Retention < TimeSpan.FromDays(32)) throw new ArgumentException("ServiceCosts:Retention must cover a whole month (at least 32 days)");
        if (SnapshotInterval <= TimeSpan.Zero) throw new ArgumentException("ServiceCosts:SnapshotInterval must be positive");
        if (SnapshotRefresh < SnapshotInterval) throw new ArgumentException("ServiceCosts:SnapshotRefresh must not be shorter than SnapshotInterval");
    }
}
