using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using CloudSentinel.Core;

namespace CloudSentinel.Connectors;

/// <summary>
/// Reads pod usage of one cluster from its Prometheus (kube-state-metrics and cAdvisor): the ended
/// UTC hours of a window, with one range query per quantity (step 1 h) whatever the pods and hours,
/// each answer parsed while it streams in. It returns usage records only, all or nothing: a query
/// that fails after its retries fails the poll, so a re-read never replaces a pod hour by a part.
/// </summary>
public sealed class KubernetesUsageConnector(HttpClient http, KubernetesUsageOptions options, ConnectorRuntime? runtime = null)
    : ApiConnector<KubernetesUsageOptions>(http, options, runtime)
{
    protected override async Task<PollResult> ReadAsync(PollWindow window, CancellationToken cancellationToken)
    {
        var hours = window.ToWholeHours();
        // The running hour is not over: reading it would replace a whole hour later by a part now.
        var now = Runtime.Clock.GetUtcNow().UtcDateTime;
        var ended = UtcHours.HourStart(now);
        if (hours.From >= ended) return new PollResult(hours, [], [], 0) { Usage = [] };
        var read = hours.To > ended ? new PollWindow(hours.From, ended) : hours;

        var caller = NewCaller();
        var table = new KubernetesUsageTable(Options);
        var calls = 0;
        var nodes = new SortedSet<string>(StringComparer.Ordinal);
        var rejected = new List<IngestError>();
        foreach (var query in KubernetesUsageQueries.For(Options))
        {
            var series = await caller.SendAsync(ct => Task.FromResult(Request(query.PromQl, read)), async (content, ct) =>
            {
                // Every attempt starts from nothing, so a retried answer is never counted twice.
                var part = new List<PrometheusSeries>();
                await using var body = await content.ReadAsStreamAsync(ct);
                await PrometheusMatrixReader.ReadAsync(body, part.Add, ct);
                return part;
            }, cancellationToken);
            calls = caller.Calls;
            if (series.Count == 0 && query.RequiredMetric is not null)
            {
                throw new ConnectorException(Source,
                    $"Prometheus at {Options.Endpoint} has no {query.RequiredMetric} for cluster '{Options.ClusterName}' in {read}: {query.Deploy} (docs/allocation.md, \"Point CloudSentinel at your cluster\")");
            }

            if (query.Quantity == UsageQuantity.NodeInfo)
            {
                AddNodes(series, nodes, rejected);
                continue;
            }

            foreach (var s in series) table.Add(query.Quantity, s);
        }

        return new PollResult(read, [], rejected, calls) { Usage = table.ToRecords(), NodeInstances = [.. nodes] };
    }

    /// <summary>A node whose provider_id is not understood is left out with the reason: its cost then needs a cluster tag.</summary>
    private static void AddNodes(List<PrometheusSeries> series, SortedSet<string> nodes, List<IngestError> rejected)
    {
        foreach (var s in series)
        {
            var node = s.Labels.GetValueOrDefault("node", "");
            // Nodes without a cloud provider (kind, bare metal) have none: nothing to link, nothing wrong.
            if (s.Labels.GetValueOrDefault("provider_id", "").Length == 0) continue;
            if (NodeProviderId.ToInstanceId(s.Labels.GetValueOrDefault("provider_id", ""), out var problem) is { } instance) nodes.Add(instance);
            else rejected.Add(new IngestError(rejected.Count, $"kube_node_info{{node=\"{node}\"}}.provider_id", problem!));
        }
    }

    /// <summary>The form of the range query of <paramref name="promQl"/> over the hours of <paramref name="window"/>: one point per hour.</summary>
    public static Dictionary<string, string> QueryForm(string promQl, PollWindow window) => new()
    {
        ["query"] = promQl,
        ["start"] = Seconds(KubernetesUsageTable.EvaluationTime(window.From)),
        ["end"] = Seconds(KubernetesUsageTable.EvaluationTime(window.To.AddHours(-1))),
        ["step"] = "3600",
    };

    private HttpRequestMessage Request(string promQl, PollWindow window)
    {
        // POST keeps long queries out of the URL; Prometheus takes the same form either way.
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Options.Endpoint, "api/v1/query_range"))
        {
            Content = new FormUrlEncodedContent(QueryForm(promQl, window)),
        };
        if (Options.BearerTokenFile is { } tokenFile)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReadSecret(tokenFile));
        }
        else if (Options.BasicAuthUser is { } user)
        {
            var pair = Encoding.UTF8.GetBytes($"{user}:{ReadSecret(Options.BasicAuthPasswordFile!)}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(pair));
        }

        return request;
    }

    private static string Seconds(DateTime t) =>
        ((t - DateTime.UnixEpoch).Ticks / (decimal)TimeSpan.TicksPerSecond).ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Read for every request: projected service-account tokens rotate. A missing file stops the source like refused credentials.</summary>
    private string ReadSecret(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConnectorAuthException(Source, $"cannot read the credentials file {path}: {ex.Message}", ex);
        }
    }
}
