namespace CloudSentinel.Connectors;

/// <summary>Which FOCUS generation a file is, recognised from its header rather than from metadata that exports rarely carry.</summary>
public enum FocusVersion
{
    /// <summary>FOCUS 1.0, 1.1 or 1.2: the provider is in ProviderName (and PublisherName).</summary>
    V1_0To1_2,

    /// <summary>FOCUS 1.3: ServiceProviderName and HostProviderName, split cost allocation, ContractApplied.</summary>
    V1_3,
}

public static class FocusVersions
{
    /// <summary>
    /// A header with ServiceProviderName is 1.3 (the column was introduced there to replace
    /// ProviderName); one with ProviderName and without it is 1.0–1.2.
    /// </summary>
    internal static FocusVersion Detect(IReadOnlyList<string> header) =>
        header.Any(h => h.Trim().Equals(FocusColumns.ServiceProviderName, StringComparison.OrdinalIgnoreCase)) ? FocusVersion.V1_3 : FocusVersion.V1_0To1_2;

    public static string Label(this FocusVersion version) => version == FocusVersion.V1_3 ? "1.3" : "1.0-1.2";
}
