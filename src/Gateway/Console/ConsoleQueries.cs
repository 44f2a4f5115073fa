using CloudSentinel.Anomalies;
using CloudSentinel.Core;
using CloudSentinel.Storage.Queries;

namespace CloudSentinel.Gateway.Console;

/// <summary>
/// The console's reads: what storage answers, and for one service's page the expected cost of each
/// ended hour from the same detector settings as the silo's, so the expected line is the one the grains judge by.
/// </summary>
public sealed class ConsoleQueries(IConsoleQueries storage, TimeProvider clock, AnomalyDetector detector)
{
    public const int MaxPageSize = IConsoleQueries.MaxPageSize;

    public static readonly TimeSpan History = IConsoleQueries.History;

    public Task<string[]> TenantsAsync(CancellationToken cancellationToken) => storage.TenantsAsync(cancellationToken);

    public Task<TenantSummary> SummaryAsync(string tenant, CancellationToken cancellationToken) => storage.SummaryAsync(tenant, cancellationToken);

    public Task<ServicePage> ServicesAsync(string tenant, string? search, string sort, int offset, int limit, CancellationToken cancellationToken) =>
        storage.ServicesAsync(tenant, search, sort, offset, limit, cancellationToken);

    public Task<ClusterRow[]> ClustersAsync(string tenant, CancellationToken cancellationToken) => storage.ClustersAsync(tenant, cancellationToken);

    /// <summary>The service's hours of the last 35 days (from its first hour, if later) with the expected cost of each ended hour; null when it has no cost in them.</summary>
    public async Task<ServiceDetail?> ServiceAsync(string tenant, string service, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var hour = UtcHours.HourStart(now);
        var month = UtcHours.MonthStart(now);
        var shown = hour.AddHours(1) - History;
        var history = await storage.ServiceHistoryAsync(tenant, service, shown.AddHours(-detector.Options.WindowHours), hour.AddHours(1), cancellationToken);
        if (history.FirstHour is not { } firstHour || history.LastHour < shown) return null;
        // A younger service is drawn from its first hour: hours before it are unknown, not free.
        if (firstHour > shown) shown = firstHour;

        var series = HourlySeries.From(history.FirstHour, history.TotalAt);
        var hours = new ServiceHour[(int)(hour - shown).TotalHours + 1];
        for (var i = 0; i < hours.Length; i++)
        {
            var h = shown.AddHours(i);
            // The running hour is not finished: the detector judges ended hours only, so it gets no expectation.
            var expected = h < hour ? detector.Evaluate(series, h).ExpectedUsd : null;
            hours[i] = new ServiceHour(h, history.TotalAt(h), expected);
        }

        var outlook = await storage.ServiceOutlookAsync(tenant, service, month, shown, cancellationToken);
        return new ServiceDetail(tenant, service, now, hour, history.Sum(month, month.AddMonths(1)), outlook.BudgetUsd, outlook.Forecast,
            hours, outlook.Anomalies, history.ByType(shown), history.ByProvider(shown), history.Shared(shown));
    }
}
