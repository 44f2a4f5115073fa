using CloudSentinel.Connectors;
using CloudSentinel.Core;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;
using CloudSentinel.Ingestion.Backpressure;
using Microsoft.Extensions.Logging;

namespace CloudSentinel.Sources;

/// <summary>
/// Polls one configured API source on a reminder. Every poll re-reads the whole rolling window and
/// ingests its sums through the same validation, cluster routing and durable journal as every other
/// source, as absolute buckets, so a re-read changes nothing and a restatement replaces
/// the old value. An auth failure stops this source only; other failures are retried at the next poll.
/// </summary>
public sealed class CostSourcePollerGrain(
    [PersistentState("poller", SourceStorage.Name)] IPersistentState<SourcePollerState> state,
    SourcesOptions options,
    SourceConnectorFactory connectors,
    CostIngestor ingestor,
    UsageIngestor usageIngestor,
    IngestBackpressure backpressure,
    ClusterNodeMap nodes,
    TimeProvider clock,
    ILogger<CostSourcePollerGrain> logger) : Grain, ICostSourcePollerGrain, IRemindable
{
    private const string ReminderName = "poll";
    private ICostSource? _source;

    private SourceDefinition Definition =>
        options.Find(this.GetPrimaryKeyString()) ?? throw new InvalidOperationException($"source '{this.GetPrimaryKeyString()}' is not configured");

    public async Task Start()
    {
        if (state.State.Stopped)
        {
            // A restart is how an operator says the credentials were fixed.
            state.State.Stopped = false;
            await state.WriteStateAsync();
        }

        await this.RegisterOrUpdateReminder(ReminderName, Definition.FirstPollDelay, Definition.PollInterval);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (options.Find(this.GetPrimaryKeyString()) is null)
        {
            await StopReminderAsync();
            return;
        }

        await PollNow();
    }

    public Task<SourcePollReport> PollNow()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return PollAsync(new PollWindow(now - Definition.Window, now), rolling: true);
    }

    public Task<SourcePollReport> Backfill(DateTime from, DateTime to) =>
        PollAsync(new PollWindow(DateTime.SpecifyKind(from, DateTimeKind.Utc), DateTime.SpecifyKind(to, DateTimeKind.Utc)), rolling: false);

    public Task<SourceStatus> GetStatus()
    {
        var s = state.State;
        var d = Definition;
        return Task.FromResult(new SourceStatus(d.Tenant, d.Name, d.Kind, s.Stopped, s.LastSuccess, s.LastFailure, s.LastError,
            s.ApiCallsTotal, s.Checkpoint, s.LastRecords, s.ConsecutiveFailures));
    }

    private async Task<SourcePollReport> PollAsync(PollWindow window, bool rolling)
    {
        var s = state.State;
        if (s.Stopped)
        {
            return new SourcePollReport(window.From, window.To, false, 0, 0, 0, 0,
                $"stopped after credentials were refused ({s.LastError}); fix them and restart the silo", true);
        }

        var callsBefore = _source?.ApiCallsTotal ?? 0;
        try
        {
            // While applying is behind, the API is not read at all: the window is read again at the next poll, so nothing is lost.
            if (await backpressure.CheckAsync(CancellationToken.None) is { Refuse: true } busy)
            {
                throw new IngestUnavailableException($"ingest pushes back ({busy.Reason}); retry after {busy.RetryAfter.TotalSeconds:0} s");
            }

            _source ??= await connectors.CreateAsync(Definition, CancellationToken.None);
            var result = await _source.PollAsync(window);
            // Before the cost is ingested, so a node's untagged bill line of the same poll already finds its cluster.
            if (Definition.ClusterName is { } cluster) await nodes.SaveAsync(Definition.Tenant, cluster.Trim(), result.NodeInstances, result.Window.To, CancellationToken.None);
            var ingest = await ingestor.IngestEachAsync(result.Records, "api", CancellationToken.None);
            var usage = await IngestUsageAsync(result.Usage);
            var published = result.Usage.Count > 0 ? usage.Outcome : ingest.Outcome;

            s.ApiCallsTotal += _source.ApiCallsTotal - callsBefore;
            s.LastSuccess = clock.GetUtcNow().UtcDateTime;
            s.LastRecords = published.Records;
            s.ConsecutiveFailures = 0;
            if (rolling && (s.Checkpoint is null || result.Window.To > s.Checkpoint)) s.Checkpoint = result.Window.To;
            await state.WriteStateAsync();

            if (ingest.Refused.Count > 0)
            {
                logger.LogWarning("Source {Source}: the ingest rules refused {Count} summed records of {Window}; first: {Error}",
                    this.GetPrimaryKeyString(), ingest.Refused.Count, result.Window, ingest.Refused[0].Error);
            }

            if (result.Rejected.Count > 0)
            {
                logger.LogWarning("Source {Source} left out {Count} rows of {Window}; first: {Error}", this.GetPrimaryKeyString(), result.Rejected.Count, result.Window, result.Rejected[0]);
            }

            if (usage.Refused.Count > 0)
            {
                logger.LogWarning("Source {Source}: the usage rules refused {Count} pod hours of {Window}; first: {Error}",
                    this.GetPrimaryKeyString(), usage.Refused.Count, result.Window, usage.Refused[0]);
            }

            logger.LogInformation("Source {Source} read {Window}: {Records} records, {Buckets} buckets, {Calls} API calls",
                this.GetPrimaryKeyString(), result.Window, published.Records, published.Buckets, result.ApiCalls);
            return new SourcePollReport(result.Window.From, result.Window.To, true, published.Records, result.Rejected.Count + ingest.Refused.Count + usage.Refused.Count,
                ingest.Accepted.Sum(r => r.CostUsd), result.ApiCalls, null, false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var calls = (int)((_source?.ApiCallsTotal ?? 0) - callsBefore);
            s.ApiCallsTotal += calls;
            s.LastFailure = clock.GetUtcNow().UtcDateTime;
            s.LastError = ex.Message;
            s.ConsecutiveFailures++;
            var auth = ex is ConnectorAuthException;
            if (auth)
            {
                s.Stopped = true;
                // The connector holds the refused credentials; a restart builds it again.
                _source = null;
                await StopReminderAsync();
                logger.LogError("Source {Source} stopped: credentials refused: {Error}", this.GetPrimaryKeyString(), ex.Message);
            }
            else
            {
                logger.LogWarning("Source {Source} poll of {Window} failed ({Failures} in a row); the next poll retries: {Error}",
                    this.GetPrimaryKeyString(), window, s.ConsecutiveFailures, ex.Message);
            }

            await state.WriteStateAsync();
            return new SourcePollReport(window.From, window.To, false, 0, 0, 0, calls, ex.Message, auth);
        }
    }

    /// <summary>
    /// Pod usage goes in one journal message per hour: each pod hour is absolute, so every message is
    /// complete on its own, and a cluster of 10,000 pods never makes one message of days.
    /// </summary>
    private async Task<(IngestOutcome Outcome, List<IngestError> Refused)> IngestUsageAsync(IReadOnlyList<UsageRecordFields> records)
    {
        var accepted = 0;
        var refused = new List<IngestError>();
        foreach (var hour in records.GroupBy(r => r.PeriodStart))
        {
            var (outcome, hourRefused) = await usageIngestor.IngestEachAsync(hour.ToList(), CancellationToken.None);
            accepted += outcome.Records;
            refused.AddRange(hourRefused);
        }

        return (IngestOutcome.Accepted(accepted, 0, 0), refused);
    }

    private async Task StopReminderAsync()
    {
        if (await this.GetReminder(ReminderName) is { } reminder) await this.UnregisterReminder(reminder);
    }
}
