using CloudSentinel.Core;

namespace CloudSentinel.Gateway.Synthetic;

/// <summary>The demo feed's shape. Section "Synthetic".</summary>
public sealed class SyntheticOptions
{
    public const string Section = "Synthetic";

    public bool Enabled { get; set; }
    public ulong Seed { get; set; } = 42;
    /// <summary>Empty means the default demo tenants (a configured list replaces them; arrays in defaults would be appended to).</summary>
    public string[] Tenants { get; set; } = [];
    public int ServicesPerTenant { get; set; } = 80;

    /// <summary>History sent at start, so windows, z-scores and anomaly warm-up have data at once.</summary>
    public int BackfillDays { get; set; } = 8;

    /// <summary>How often the running hour is re-sent with its cost so far.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    public double SpikeProbability { get; set; } = 0.003;

    public void Validate()
    {
        if (Tenants.Length == 0) Tenants = ["acme", "globex", "initech"];
        if ( Tenants.Any(t => Names.CheckTenant(t) is not null)) throw new ArgumentException("Synthetic:Tenants must be valid tenant names");
        if (ServicesPerTenant is < 1 or > 10_000) throw new ArgumentException("Synthetic:ServicesPerTenant must be 1 to 10000");
        if (BackfillDays is < 0 or > 35) throw new ArgumentException("Synthetic:BackfillDays must be 0 to 35");
        if (Interval < TimeSpan.FromSeconds(1)) throw new ArgumentException("Synthetic:Interval must be at least 1 second");
    }
}
