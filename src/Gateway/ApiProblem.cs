using System.Globalization;
using CloudSentinel.Gateway.Ingest;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace CloudSentinel.Gateway;

/// <summary>
/// Every 4xx/5xx of the gateway is an RFC 9457 problem (<c>application/problem+json</c>, ASP.NET's
/// <see cref="ProblemDetails"/>): <c>status</c>, <c>title</c> (the reason phrase), <c>detail</c> (what went
/// wrong, in words a user acts on) and our extension members: <c>field</c> when one field is to blame,
/// <c>records</c>, <c>rejected</c> and <c>errors</c> for a refused ingest, <c>reason</c> for an outage.
/// One helper, so that a client reads every refusal the same way.
/// </summary>
public static class ApiProblem
{
    /// <summary>400 blaming one query or body field; the detail reads "field: reason".</summary>
    public static IResult Invalid(string field, string reason) => Of(StatusCodes.Status400BadRequest, $"{field}: {reason}", field);

    /// <summary>An answer of <paramref name="status"/> with the whole detail given, and the field to blame when there is one.</summary>
    public static IResult Of(int status, string detail, string? field = null) =>
        Of(status, detail, field is null ? [] : [new("field", field)]);

    /// <summary>A refused ingest: how many records were read and rejected, and up to the reporting limit of them with field and reason.</summary>
    public static IResult Ingest(int status, string detail, int records, int rejected, IReadOnlyList<IngestResponse.ErrorItem> errors, string? reason = null)
    {
        List<KeyValuePair<string, object?>> members = [new("records", records), new("rejected", rejected), new("errors", errors)];
        if (reason is not null) members.Add(new("reason", reason));
        return Of(status, detail, members);
    }

    /// <summary>A passing refusal (429, 503): Retry-After in whole seconds, and the reason on its own when there is one.</summary>
    public static IResult RetryLater(HttpContext http, int status, int seconds, string detail, string? reason = null)
    {
        SetRetryAfter(http, seconds);
        return Of(status, detail, reason is null ? [] : [new("reason", reason)]);
    }

    /// <summary>Retry-After in whole seconds, for a refusal that carries more members than <see cref="RetryLater"/> gives.</summary>
    public static void SetRetryAfter(HttpContext http, int seconds) =>
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>The one place a problem is built: the title is the status's reason phrase, the extension members follow in the order given.</summary>
    public static IResult Of(int status, string detail, IEnumerable<KeyValuePair<string, object?>> members)
    {
        var problem = new ProblemDetails { Status = status, Title = ReasonPhrases.GetReasonPhrase(status), Detail = detail };
        foreach (var (name, value) in members) problem.Extensions[name] = value;
        return TypedResults.Problem(problem);
    }
}
