using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using CloudSentinel.Core;

namespace CloudSentinel.Connectors;

/// <summary>
/// Polls Azure Cost Management (POST {scope}/providers/Microsoft.CostManagement/query) with daily
/// granularity grouped by ServiceName and the service tag, following nextLink, and sums the rows
/// into one record per bucket key. Throttling waits as long as the qpu/entity/tenant retry-after headers say.
/// </summary>
/// <param name="credential">Usually <see cref="CloudCredentials.Azure"/> (DefaultAzureCredential); tests pass a static token.</param>
public sealed class AzureCostManagementConnector(
    HttpClient http,
    AzureCostManagementOptions options,
    TokenCredential credential,
    ConnectorRuntime? runtime = null) : ApiConnector<AzureCostManagementOptions>(http, options, runtime)
{
    private static readonly string[] RetryAfterHeaders =
    [
        "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after",
        "x-ms-ratelimit-microsoft.costmanagement-entity-retry-after",
        "x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after",
        "x-ms-ratelimit-microsoft.costmanagement-client-retry-after",
    ];

    protected override async Task<PollResult> ReadAsync(PollWindow window, CancellationToken cancellationToken)
    {
        var read = window.ToWholeDays();
        var payload = RequestBody(read);
        var caller = NewCaller(retryAfterHeaders: RetryAfterHeaders);
        var aggregator = new CostLineAggregator(Options.Tenant, Source);
        var rejected = new List<IngestError>();
        var url = new Uri(Options.Endpoint, $"{Options.Scope.TrimEnd('/')}/providers/Microsoft.CostManagement/query?api-version={Uri.EscapeDataString(Options.ApiVersion)}");
        long rowIndex = 0;
        while (true)
        {
            var target = url;
            var body = await caller.SendAsync(ct => AuthorizedRequestAsync(target, payload, ct), cancellationToken);
            using var document = JsonWire.Parse(Source, "query", body);
            var properties = document.RootElement.Required(Source, "query", "properties", JsonValueKind.Object);
            rowIndex = ReadRows(properties, aggregator, rejected, rowIndex);
            var next = properties.OptionalString("nextLink");
            if (string.IsNullOrEmpty(next)) break;
            url = CheckedNextLink(next);
        }

        return new PollResult(read, aggregator.ToRecords(), rejected, caller.Calls);
    }

    /// <summary>The token goes only to the configured host: a nextLink elsewhere is refused, not followed.</summary>
    private Uri CheckedNextLink(string next)
    {
        if (Uri.TryCreate(next, UriKind.Absolute, out var uri)
            && uri.Scheme == Options.Endpoint.Scheme
            && string.Equals(uri.Authority, Options.Endpoint.Authority, StringComparison.OrdinalIgnoreCase))
        {
            return uri;
        }

        throw new ConnectorException(Source, $"nextLink '{HttpFailures.Snippet(next)}' does not point to {Options.Endpoint.GetLeftPart(UriPartial.Authority)}");
    }

    private byte[] RequestBody(PollWindow window)
    {
        // The API's "to" is inclusive; the last second of the window's last day ends it.
        var body = new JsonObject
        {
            ["type"] = Options.CostKind,
            ["timeframe"] = "Custom",
            ["timePeriod"] = new JsonObject
            {
                ["from"] = window.From.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["to"] = window.To.AddSeconds(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            },
            ["dataset"] = new JsonObject
            {
                ["granularity"] = "Daily",
                ["aggregation"] = new JsonObject { ["totalCost"] = new JsonObject { ["name"] = Options.CostColumn, ["function"] = "Sum" } },
                ["grouping"] = new JsonArray(
                    new JsonObject { ["type"] = "Dimension", ["name"] = "ServiceName" },
                    new JsonObject { ["type"] = "TagKey", ["name"] = Options.ServiceTagKey }),
            },
        };
        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    private async Task<HttpRequestMessage> AuthorizedRequestAsync(Uri url, byte[] payload, CancellationToken ct)
    {
        AccessToken token;
        try
        {
            token = await credential.GetTokenAsync(new TokenRequestContext([Options.TokenScope]), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ConnectorAuthException(Source, $"no Azure token could be acquired ({e.GetType().Name}: {e.Message})", e);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(payload) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return request;
    }

    private long ReadRows(JsonElement properties, CostLineAggregator aggregator, List<IngestError> rejected, long rowIndex)
    {
        var columns = properties.Required(Source, "query", "columns", JsonValueKind.Array).EnumerateArray()
            .Select(c => c.OptionalString("name") ?? "").ToList();
        int Column(params string[] names)
        {
            var index = columns.FindIndex(c => names.Any(n => n.Equals(c, StringComparison.OrdinalIgnoreCase)));
            return index >= 0 ? index : throw new ConnectorException(Source, $"malformed query response: no {names[0]} column among [{string.Join(", ", columns)}]");
        }

        var rows = properties.Required(Source, "query", "rows", JsonValueKind.Array);
        if (rows.GetArrayLength() == 0) return rowIndex;
        var cost = Column(Options.CostColumn, "PreTaxCost", "Cost", "CostUSD");
        var date = Column("UsageDate");
        var service = Column("ServiceName");
        var tagValue = Column("TagValue");
        var currency = columns.FindIndex(c => c.Equals("Currency", StringComparison.OrdinalIgnoreCase));
        var usdColumn = columns[cost].EndsWith("USD", StringComparison.OrdinalIgnoreCase);

        foreach (var row in rows.EnumerateArray())
        {
            var index = rowIndex++;
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != columns.Count)
            {
                throw new ConnectorException(Source, $"malformed query response: row {index} does not have {columns.Count} values");
            }

            var day = Day(row[date]) ?? throw new ConnectorException(Source, $"malformed query response: UsageDate {row[date].GetRawText()} of row {index} is not a date");
            if (!TryNumber(row[cost], out var amount)) throw new ConnectorException(Source, $"malformed query response: cost {row[cost].GetRawText()} of row {index} is not a number");

            var usd = CurrencyConverter.ToUsd(amount, usdColumn ? "USD" : currency >= 0 ? Text(row[currency]) : "USD", Options.UsdRates, out var currencyError);
            if (usd is null)
            {
                rejected.Add(new IngestError(index, "Currency", currencyError!));
                continue;
            }

            var value = Text(row[tagValue])?.Trim();
            var serviceName = string.IsNullOrEmpty(value) ? CostVocabulary.UntaggedService : value;
            if (Names.CheckServiceName(serviceName) is { } problem)
            {
                rejected.Add(new IngestError(index, "TagValue", $"the service tag value {problem}"));
                continue;
            }

            var providerService = Text(row[service]);
            var key = new CostLineKey(serviceName, "azure", Options.EffectiveAccountId,
                ProviderServiceCostTypes.Classify(providerService, Options.ServiceCostTypes), day, day.AddDays(1));
            var tags = string.IsNullOrEmpty(value) ? null : new Dictionary<string, string> { [Options.ServiceTagKey] = value };
            aggregator.Add(key, usd.Value, new CostLineDetails(ProviderService: providerService, Tags: tags));
        }

        return rowIndex;
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };

    private static bool TryNumber(JsonElement value, out decimal amount) =>
        value.ValueKind == JsonValueKind.Number ? value.TryGetDecimal(out amount) : JsonWire.TryDecimal(Text(value), out amount);

    /// <summary>Daily rows carry UsageDate as the number yyyyMMdd; some API versions send an ISO date string.</summary>
    private static DateTime? Day(JsonElement value)
    {
        var text = Text(value);
        if (text is { Length: 8 } && DateTime.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var day)) return day;
        return JsonWire.TryUtc(text, out var parsed) ? DateTime.SpecifyKind(parsed.Date, DateTimeKind.Utc) : null;
    }
}
