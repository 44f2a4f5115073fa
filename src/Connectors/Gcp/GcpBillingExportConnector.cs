using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CloudSentinel.Core;
using Google.Apis.Auth.OAuth2;

namespace CloudSentinel.Connectors;

/// <summary>
/// Polls the GCP Cloud Billing export in BigQuery (the Cloud Billing API itself has no cost lines):
/// jobs.query, then jobs.getQueryResults until the job is complete and every pageToken is read,
/// summing the rows into one record per bucket key.
/// </summary>
/// <param name="credential">Usually <see cref="CloudCredentials.GcpAsync"/> (Application Default Credentials); tests pass a static token.</param>
public sealed class GcpBillingExportConnector(
    HttpClient http,
    GcpBillingExportOptions options,
    ITokenAccess credential,
    ConnectorRuntime? runtime = null) : ApiConnector<GcpBillingExportOptions>(http, options, runtime)
{
    private static readonly string[] ThrottlingReasons = ["rateLimitExceeded", "userRateLimitExceeded", "backendError"];

    protected override async Task<PollResult> ReadAsync(PollWindow window, CancellationToken cancellationToken)
    {
        var read = window.ToWholeHours();
        var caller = NewCaller(Classify);
        var aggregator = new CostLineAggregator(Options.Tenant, Source);
        var rejected = new List<IngestError>();
        var project = Uri.EscapeDataString(Options.ProjectId);
        var payload = JsonSerializer.SerializeToUtf8Bytes(BillingExportQuery.Request(Options, read));

        var body = await caller.SendAsync(ct => RequestAsync(HttpMethod.Post, new Uri(Options.Endpoint, $"bigquery/v2/projects/{project}/queries"), payload, ct), cancellationToken);
        List<string>? schema = null;
        long rowIndex = 0;
        while (true)
        {
            using var document = JsonWire.Parse(Source, "BigQuery", body);
            var root = document.RootElement;
            var job = root.Required(Source, "BigQuery", "jobReference", JsonValueKind.Object);
            var jobId = job.OptionalString("jobId") ?? throw new ConnectorException(Source, "malformed BigQuery response: jobReference has no jobId");
            string? pageToken = null;
            // A query that outlives the call's wait comes back incomplete: ask again for its first page.
            var incomplete = root.TryGetProperty("jobComplete", out var complete) && complete.ValueKind == JsonValueKind.False;
            if (!incomplete)
            {
                schema = Schema(root) ?? schema ?? throw new ConnectorException(Source, "malformed BigQuery response: no schema");
                rowIndex = ReadRows(root, schema, aggregator, rejected, rowIndex);
                pageToken = root.OptionalString("pageToken");
                if (string.IsNullOrEmpty(pageToken)) break;
            }

            var results = ResultsUri(project, jobId, job.OptionalString("location") ?? Options.Location, pageToken);
            body = await caller.SendAsync(ct => RequestAsync(HttpMethod.Get, results, null, ct), cancellationToken);
        }

        return new PollResult(read, aggregator.ToRecords(), rejected, caller.Calls);
    }

    private Uri ResultsUri(string project, string jobId, string? location, string? pageToken)
    {
        var query = $"maxResults={Options.PageSize}&timeoutMs={(long)Options.QueryWait.TotalMilliseconds}";
        if (location is not null) query += $"&location={Uri.EscapeDataString(location)}";
        if (pageToken is not null) query += $"&pageToken={Uri.EscapeDataString(pageToken)}";
        return new Uri(Options.Endpoint, $"bigquery/v2/projects/{project}/queries/{Uri.EscapeDataString(jobId)}?{query}");
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, Uri url, byte[]? payload, CancellationToken ct)
    {
        string token;
        try
        {
            token = await credential.GetAccessTokenForRequestAsync(cancellationToken: ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ConnectorAuthException(Source, $"no Google access token could be obtained ({e.GetType().Name}: {e.Message})", e);
        }

        var request = new HttpRequestMessage(method, url);
        if (payload is not null)
        {
            request.Content = new ByteArrayContent(payload);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private List<string>? Schema(JsonElement root) =>
        root.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.Object
            ? schema.Required(Source, "BigQuery", "fields", JsonValueKind.Array).EnumerateArray().Select(f => f.OptionalString("name") ?? "").ToList()
            : null;

    private long ReadRows(JsonElement root, List<string> schema, CostLineAggregator aggregator, List<IngestError> rejected, long rowIndex)
    {
        if (!root.TryGetProperty("rows", out var rows)) return rowIndex;
        if (rows.ValueKind != JsonValueKind.Array) throw new ConnectorException(Source, "malformed BigQuery response: 'rows' is not an array");
        int Field(string name) => schema.IndexOf(name) is >= 0 and var i ? i : throw new ConnectorException(Source, $"malformed BigQuery response: no '{name}' field in the schema");
        int service = Field("service"), account = Field("account"), region = Field("region"), labelKey = Field("label_key"),
            labelValue = Field("label_value"), start = Field("start_s"), end = Field("end_s"), currency = Field("currency"), cost = Field("cost");

        foreach (var row in rows.EnumerateArray())
        {
            var index = rowIndex++;
            var cells = row.Required(Source, "BigQuery", "f", JsonValueKind.Array).EnumerateArray().Select(c => c.OptionalString("v")).ToArray();
            if (cells.Length != schema.Count) throw new ConnectorException(Source, $"malformed BigQuery response: row {index} has {cells.Length} cells, the schema {schema.Count}");
            if (!long.TryParse(cells[start], out var startS) || !long.TryParse(cells[end], out var endS) || endS <= startS || !JsonWire.TryDecimal(cells[cost], out var amount))
            {
                throw new ConnectorException(Source, $"malformed BigQuery response: row {index} has no valid period or cost");
            }

            var usd = CurrencyConverter.ToUsd(amount, cells[currency], Options.UsdRates, out var currencyError);
            if (usd is null)
            {
                rejected.Add(new IngestError(index, "currency", currencyError!));
                continue;
            }

            var value = cells[labelValue];
            var serviceName = string.IsNullOrEmpty(value) ? CostVocabulary.UntaggedService : value;
            if (Names.CheckServiceName(serviceName) is { } problem)
            {
                rejected.Add(new IngestError(index, "labels", $"the service label value {problem}"));
                continue;
            }

            var key = new CostLineKey(serviceName, "gcp", cells[account] ?? "", ProviderServiceCostTypes.Classify(cells[service], Options.ServiceCostTypes),
                DateTime.UnixEpoch.AddSeconds(startS), DateTime.UnixEpoch.AddSeconds(endS));
            var tags = cells[labelKey] is { } k && !string.IsNullOrEmpty(value) ? new Dictionary<string, string> { [k.Trim()] = value } : null;
            aggregator.Add(key, usd.Value, new CostLineDetails(ProviderService: cells[service], Region: cells[region], Tags: tags));
        }

        return rowIndex;
    }

    private static FailureKind Classify(HttpStatusCode status, string body)
    {
        // BigQuery signals rate limits as 403 with a reason, which would otherwise read as an auth failure.
        if (ThrottlingReasons.Any(r => body.Contains(r, StringComparison.Ordinal))) return FailureKind.Transient;
        return HttpFailures.Classify(status);
    }
}
