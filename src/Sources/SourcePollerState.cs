namespace CloudSentinel.Sources;

/// <summary>What a poller remembers across activations and silo restarts (storage "sources").</summary>
[GenerateSerializer, Alias("source-poller-state")]
public sealed class SourcePollerState
{
    /// <summary>End of the newest rolling window read completely.</summary>
    [Id(0)] public DateTime? Checkpoint { get; set; }

    [Id(1)] public DateTime? LastSuccess { get; set; }

    [Id(2)] public DateTime? LastFailure { get; set; }

    [Id(3)] public string? LastError { get; set; }

    /// <summary>Every API call ever made for this source, retries and failed polls included (each may cost money).</summary>
    [Id(4)] public long ApiCallsTotal { get; set; }

    /// <summary>Credentials were refused; no poll runs until the source is started again.</summary>
    [Id(5)] public bool Stopped { get; set; }

    [Id(6)] public int LastRecords { get; set; }

    [Id(7)] public int ConsecutiveFailures { get; set; }
}
