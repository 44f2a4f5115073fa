using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using CloudSentinel.Core;

namespace CloudSentinel.Connectors;

/// <summary>
/// Polls AWS Cost Explorer GetCostAndUsage (JSON 1.1 protocol, SigV4-signed) grouped by SERVICE and
/// the service tag, following NextPageToken, and sums the groups into one record per bucket key.
/// </summary>
/// <param name="credentials">Usually <see cref="CloudCredentials.Aws"/> (the SDK's default chain); tests pass fixed keys.</param>
public sealed class AwsCostExplorerConnector(
    HttpClient http,
    AwsCostExplorerOptions options,
    AWSCredentials credentials,
    ConnectorRuntime? runtime = null) : ApiConnector<AwsCostExplorerOptions>(http, options, runtime)
{
    private const string Target = "AWSInsightsIndexService.GetCostAndUsage";
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/x-amz-json-1.1");
    private static readonly string[] ThrottlingErrors = ["ThrottlingException", "LimitExceededException", "TooManyRequestsException", "RequestLimitExceeded"];
    private static readonly string[] AuthErrors =
    [
        "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch", "ExpiredTokenException",
        "AccessDeniedException", "InvalidClientTokenId", "MissingAuthenticationToken", "IncompleteSignature",
    ];

    protected override async Task<PollResult> ReadAsync(PollWindow window, CancellationToken cancellationToken)
    {
        var now = Runtime.Clock.GetUtcNow().UtcDateTime;
        // Hourly data reaches back 14 days only; an older window would come back empty, so it is read daily.
        var hourly = Options.Hourly && window.From >= now.AddDays(-14);
        var read = hourly ? window.ToWholeHours() : window.ToWholeDays();
        var format = hourly ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd";

        var caller = NewCaller(Classify);
        var aggregator = new CostLineAggregator(Options.Tenant, Source);
        var rejected = new List<IngestError>();
        string? pageToken = null;
        long groupIndex = 0;
        do
        {
            var payload = RequestBody(read, hourly ? "HOURLY" : "DAILY", format, pageToken);
            var body = await caller.SendAsync(ct => SignedRequestAsync(payload, ct), cancellationToken);
            using var document = JsonWire.Parse(Source, "GetCostAndUsage", body);
            groupIndex = ReadPage(document.RootElement, aggregator, rejected, groupIndex);
            pageToken = document.RootElement.OptionalString("NextPageToken");
        }
        while (!string.IsNullOrEmpty(pageToken));

        return new PollResult(read, aggregator.ToRecords(), rejected, caller.Calls);
    }

    private byte[] RequestBody(PollWindow window, string granularity, string format, string? pageToken)
    {
        var body = new JsonObject
        {
            ["TimePeriod"] = new JsonObject { ["Start"] = window.From.ToString(format, CultureInfo.InvariantCulture), ["End"] = window.To.ToString(format, CultureInfo.InvariantCulture) },
            ["Granularity"] = granularity,
            ["Metrics"] = new JsonArray(Options.Metric),
            ["GroupBy"] = new JsonArray(
                new JsonObject { ["Type"] = "DIMENSION", ["Key"] = "SERVICE" },
                new JsonObject { ["Type"] = "TAG", ["Key"] = Options.ServiceTagKey }),
        };
        if (pageToken is not null) body["NextPageToken"] = pageToken;
        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    private async Task<HttpRequestMessage> SignedRequestAsync(byte[] payload, CancellationToken ct)
    {
        ImmutableCredentials resolved;
        try
        {
            resolved = await credentials.GetCredentialsAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ConnectorAuthException(Source, $"no AWS credentials could be resolved ({e.GetType().Name}: {e.Message})", e);
        }

        ct.ThrowIfCancellationRequested();
        var request = new HttpRequestMessage(HttpMethod.Post, Options.Endpoint) { Content = new ByteArrayContent(payload) };
        request.Content.Headers.ContentType = JsonContentType;
        request.Headers.TryAddWithoutValidation("X-Amz-Target", Target);
        AwsSigV4.Sign(request, payload, new AwsSigningCredentials(resolved.AccessKey, resolved.SecretKey, resolved.Token),
            Options.Region, "ce", Runtime.Clock.GetUtcNow().UtcDateTime);
        return request;
    }

    private long ReadPage(JsonElement root, CostLineAggregator aggregator, List<IngestError> rejected, long groupIndex)
    {
        foreach (var result in root.Required(Source, "GetCostAndUsage", "ResultsByTime", JsonValueKind.Array).EnumerateArray())
        {
            var period = result.Required(Source, "GetCostAndUsage", "TimePeriod", JsonValueKind.Object);
            if (!JsonWire.TryUtc(period.OptionalString("Start"), out var start) || !JsonWire.TryUtc(period.OptionalString("End"), out var end) || end <= start)
            {
                throw new ConnectorException(Source, $"malformed GetCostAndUsage response: TimePeriod {period.GetRawText()} is not a valid period");
            }

            if (!result.TryGetProperty("Groups", out var groups) || groups.ValueKind != JsonValueKind.Array) continue;
            foreach (var group in groups.EnumerateArray())
            {
                AddGroup(group, start, end, groupIndex++, aggregator, rejected);
            }
        }

        return groupIndex;
    }

    private void AddGroup(JsonElement group, DateTime start, DateTime end, long index, CostLineAggregator aggregator, List<IngestError> rejected)
    {
        var keys = group.Required(Source, "GetCostAndUsage", "Keys", JsonValueKind.Array).EnumerateArray().Select(k => k.GetString() ?? "").ToArray();
        var metric = group.Required(Source, "GetCostAndUsage", "Metrics", JsonValueKind.Object)
            .Required(Source, "GetCostAndUsage", Options.Metric, JsonValueKind.Object);
        var amountText = metric.OptionalString("Amount");
        if (keys.Length != 2 || !JsonWire.TryDecimal(amountText, out var amount))
        {
            throw new ConnectorException(Source, $"malformed GetCostAndUsage response: group {group.GetRawText()} lacks two keys or a numeric Amount");
        }

        var usd = CurrencyConverter.ToUsd(amount, metric.OptionalString("Unit"), Options.UsdRates, out var currencyError);
        if (usd is null)
        {
            rejected.Add(new IngestError(index, "Unit", currencyError!));
            return;
        }

        // A TAG group key reads "key$value"; "key$" is the spend without the tag.
        var dollar = keys[1].IndexOf('$');
        var tagValue = (dollar >= 0 ? keys[1][(dollar + 1)..] : keys[1]).Trim();
        var service = tagValue.Length > 0 ? tagValue : CostVocabulary.UntaggedService;
        if (Names.CheckServiceName(service) is { } problem)
        {
            rejected.Add(new IngestError(index, "Keys", $"the service tag value {problem}"));
            return;
        }

        var key = new CostLineKey(service, "aws", Options.AccountId, ProviderServiceCostTypes.Classify(keys[0], Options.ServiceCostTypes), start, end);
        var tags = tagValue.Length > 0 ? new Dictionary<string, string> { [Options.ServiceTagKey] = tagValue } : null;
        aggregator.Add(key, usd.Value, new CostLineDetails(ProviderService: keys[0], Tags: tags));
    }

    private static FailureKind Classify(HttpStatusCode status, string body)
    {
        // The JSON protocol reports throttling and signature problems as 400s named in "__type".
        if (ThrottlingErrors.Any(e => body.Contains(e, StringComparison.Ordinal))) return FailureKind.Transient;
        if (AuthErrors.Any(e => body.Contains(e, StringComparison.Ordinal))) return FailureKind.Auth;
        return HttpFailures.Classify(status);
    }
}
