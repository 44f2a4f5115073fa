using CloudSentinel.Grains.Abstractions;

namespace CloudSentinel.Gateway.Ingest;

/// <summary>
/// 503 with Retry-After for a request the ingest journal could not take (PostgreSQL down or
/// overloaded): nothing from it was applied, and sending it again is safe. 400 for one whose data
/// PostgreSQL refused: nothing was applied either, and sending it again would not help.
/// </summary>
public static class IngestUnavailable
{
    public static IApplicationBuilder UseIngestUnavailable(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        try
        {
            await next(http);
        }
        catch (IngestUnavailableException ex) when (!http.Response.HasStarted)
        {
            var seconds = (int)IngestUnavailableException.RetryAfter.TotalSeconds;
            var reason = OutageReason.Describe(ex);
            http.RequestServices.GetRequiredService<ILogger<IngestUnavailableException>>()
                .LogWarning("Ingest refused with 503, nothing applied: {Reason}", reason);
            ApiProblem.SetRetryAfter(http, seconds);
            await ApiProblem.Ingest(StatusCodes.Status503ServiceUnavailable,
                $"{reason}. Retry after {seconds} s; sending the same request again is safe", 0, 0, [], reason).ExecuteAsync(http);
        }
        catch (IngestRefusedException ex) when (!http.Response.HasStarted)
        {
            await ApiProblem.Ingest(StatusCodes.Status400BadRequest, ex.Message, 0, 0, []).ExecuteAsync(http);
        }
    });
}
