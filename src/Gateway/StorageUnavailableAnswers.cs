using CloudSentinel.Storage.Queries;

namespace CloudSentinel.Gateway;

/// <summary>
/// The one place a read that only PostgreSQL can answer is refused in the in-memory mode: 503 with what to
/// configure, and no Retry-After, since waiting would not help. The endpoints check their request first and
/// then call their query; they never ask whether there is a database.
/// </summary>
public static class StorageUnavailableAnswers
{
    public static IApplicationBuilder UseStorageUnavailableAnswers(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        try
        {
            await next(http);
        }
        catch (StorageUnavailableException ex) when (!http.Response.HasStarted)
        {
            await ApiProblem.Of(StatusCodes.Status503ServiceUnavailable, ex.Message).ExecuteAsync(http);
        }
    });
}
