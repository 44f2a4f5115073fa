using Orleans.Concurrency;

namespace CloudSentinel.Grains.Abstractions;

/// <summary>
/// One grain per configured API source, key "tenant/source". A reminder makes it re-read a rolling
/// window and ingest the sums like any other source (validated, routed, durable); its checkpoint and last outcome are persisted.
/// </summary>
public interface ICostSourcePollerGrain : IGrainWithStringKey
{
    /// <summary>Registers the poll reminder (idempotent) and resumes a source that an auth failure stopped.</summary>
    Task Start();

    /// <summary>Polls the rolling window now, as the reminder does.</summary>
    [ResponseTimeout("00:15:00")]
    Task<SourcePollReport> PollNow();

    /// <summary>Reads [<paramref name="from"/>, <paramref name="to"/>) once and publishes it; for history backfills.</summary>
    [ResponseTimeout("00:15:00")]
    Task<SourcePollReport> Backfill(DateTime from, DateTime to);

    /// <summary>Answers even while a poll is running, so status pages never wait on a slow cloud API.</summary>
    [AlwaysInterleave]
    Task<SourceStatus> GetStatus();
}

/// <summary>
/// A source as operators see it. <see cref="Checkpoint"/> is the end of the newest window read completely;
/// <see cref="Stopped"/> means credentials were refused and the source waits for an operator.
/// </summary>
[GenerateSerializer, Immutable, Alias("source-status")]
public sealed record SourceStatus(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string Name,
    [property: Id(2)] string Kind,
    [property: Id(3)] bool Stopped,
    [property: Id(4)] DateTime? LastSuccess,
    [property: Id(5)] DateTime? LastFailure,
    [property: Id(6)] string? LastError,
    [property: Id(7)] long ApiCallsTotal,
    [property: Id(8)] DateTime? Checkpoint,
    [property: Id(9)] int LastRecords,
    [property: Id(10)] int ConsecutiveFailures)
{
    /// <summary>Up: not stopped, and the latest poll (if any) succeeded.</summary>
    public bool Up => !Stopped && ConsecutiveFailures == 0;
}

/// <summary>The outcome of one poll: the window read, what it published, and the error if it failed.</summary>
[GenerateSerializer, Immutable, Alias("source-poll-report")]
public sealed record SourcePollReport(
    [property: Id(0)] DateTime From,
    [property: Id(1)] DateTime To,
    [property: Id(2)] bool Succeeded,
    [property: Id(3)] int Records,
    [property: Id(4)] int RejectedRows,
    [property: Id(5)] decimal CostUsd,
    [property: Id(6)] int ApiCalls,
    [property: Id(7)] string? Error,
    [property: Id(8)] bool Stopped);
