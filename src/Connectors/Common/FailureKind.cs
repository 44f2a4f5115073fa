using System.Net;

namespace CloudSentinel.Connectors;

/// <summary>What a failed HTTP answer means for the poll.</summary>
internal enum FailureKind
{
    /// <summary>Throttling or a server fault: wait and try again.</summary>
    Transient,

    /// <summary>The credentials were refused: stop the source.</summary>
    Auth,

    /// <summary>The request itself is wrong: trying again gives the same answer.</summary>
    Fatal,
}

internal static class HttpFailures
{
    /// <summary>The classification every API shares; connectors refine it with their own error codes.</summary>
    public static FailureKind Classify(HttpStatusCode status) => (int)status switch
    {
        401 or 403 => FailureKind.Auth,
        408 or 429 or >= 500 => FailureKind.Transient,
        _ => FailureKind.Fatal,
    };

    /// <summary>The start of an error body, enough to say what went wrong without flooding a log.</summary>
    public static string Snippet(string body)
    {
        var flat = body.ReplaceLineEndings(" ").Trim();
        return flat.Length <= 300 ? flat : flat[..300] + "…";
    }
}
