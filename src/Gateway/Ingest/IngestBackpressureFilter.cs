using CloudSentinel.Gateway.Metrics;
using CloudSentinel.Ingestion.Backpressure;

namespace CloudSentinel.Gateway.Ingest;

/// <summary>
/// The ingest endpoints' hook for backpressure: before the body is read, a request is answered
/// 503 with Retry-After (from the measured drain rate) and a reason when applying is past its bound
/// or the log is at its cap. Nothing of it is applied, and sending it again later is safe.
/// </summary>
public static class IngestBackpressureFilter
{
    public static RouteHandlerBuilder WithBackpressure(this RouteHandlerBuilder route) => route.AddEndpointFilter(async (context, next) =>
    {
        var http = context.HttpContext;
        var pressure = await http.RequestServices.GetRequiredService<IngestBackpressure>().CheckAsync(http.RequestAborted);
        if (!pressure.Refuse) return await next(context);

        http.RequestServices.GetService<BackpressureGauges>()?.Refused(pressure.Cause!);
        var seconds = (int)Math.Ceiling(pressure.RetryAfter.TotalSeconds);
        ApiProblem.SetRetryAfter(http, seconds);
        return ApiProblem.Ingest(StatusCodes.Status503ServiceUnavailable,
            $"{pressure.Reason}; nothing from this request was applied. Retry after {seconds} s; sending the same request again is safe", 0, 0, [], pressure.Reason);
    });
}
