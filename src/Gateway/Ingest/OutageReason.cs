using Npgsql;

namespace CloudSentinel.Gateway.Ingest;

/// <summary>
/// What a 503 says when PostgreSQL cannot take a request, in the words an operator acts on: a full
/// disk (SQLSTATE 53100) needs space freed, too many connections (53300) needs the pool sizes
/// looked at; anything else is passed on as PostgreSQL said it.
/// </summary>
public static class OutageReason
{
    public static string Describe(Exception refusal)
    {
        for (var inner = refusal.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is not PostgresException postgres) continue;
            return postgres.SqlState switch
            {
                PostgresErrorCodes.DiskFull =>
                    $"PostgreSQL is out of disk space (SQLSTATE 53100, disk_full: {postgres.MessageText}); nothing from the request was applied, and ingest resumes once an operator frees space",
                PostgresErrorCodes.TooManyConnections =>
                    $"PostgreSQL has no connection to spare (SQLSTATE 53300: {postgres.MessageText}); nothing from the request was applied",
                _ => refusal.Message,
            };
        }

        return refusal.Message;
    }
}
