using Npgsql;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace CloudSentinel.Gateway;

/// <summary>
/// A passing outage is a 503 with Retry-After on every endpoint, never a 500: no silo reachable (or
/// none answering in time), or PostgreSQL unreachable, shutting down or out of resources. What the
/// ingest endpoints refuse has its own, more specific answer (<c>IngestUnavailable</c>); this is the
/// net under every other endpoint, and under authentication, which reads tokens from PostgreSQL.
/// A bug (a SQL error, a null) is still a 500: retrying would not help.
/// </summary>
public static class OutageAnswers
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    public static IApplicationBuilder UseOutageAnswers(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        try
        {
            await next(http);
        }
        catch (Exception ex) when (!http.Response.HasStarted && Describe(ex) is { } reason)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OutageAnswers)).LogWarning("{Path} answered 503: {Reason}", http.Request.Path, reason);
            var seconds = (int)RetryAfter.TotalSeconds;
            await ApiProblem.RetryLater(http, StatusCodes.Status503ServiceUnavailable, seconds, $"{reason}; nothing was changed. Retry after {seconds} s", reason).ExecuteAsync(http);
        }
    });

    /// <summary>The outage <paramref name="error"/> (or one of its causes) stands for, or null when it is not one.</summary>
    public static string? Describe(Exception error)
    {
        for (var ex = error; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException:
                    return $"no Orleans silo can take the call now ({ex.GetType().Name}: {ex.Message})";
                case TimeoutException when ex.Source?.StartsWith("Orleans", StringComparison.Ordinal) == true:
                    return $"no Orleans silo answered in time ({ex.Message})";
                case PostgresException postgres when IsOutage(postgres.SqlState):
                    return $"PostgreSQL cannot serve the request now (SQLSTATE {postgres.SqlState}: {postgres.MessageText})";
                case NpgsqlException and not PostgresException:
                    return $"PostgreSQL cannot be reached now ({ex.Message})";
            }
        }

        return null;
    }

    /// <summary>Connection failures (08), insufficient resources (53: disk full, out of memory, too many connections), shutdown (57P), system errors (58).</summary>
    private static bool IsOutage(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal) || sqlState.StartsWith("53", StringComparison.Ordinal)
        || sqlState.StartsWith("57P", StringComparison.Ordinal) || sqlState.StartsWith("58", StringComparison.Ordinal);
}
