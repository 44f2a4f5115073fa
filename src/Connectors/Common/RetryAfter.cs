using System.Globalization;
using System.Net.Http.Headers;

namespace CloudSentinel.Connectors;

/// <summary>Reads how long a server asked us to wait: the standard Retry-After, or an API's own seconds header.</summary>
internal static class RetryAfter
{
    public static TimeSpan? From(HttpResponseHeaders headers, DateTimeOffset now, IReadOnlyList<string> extraHeaders)
    {
        TimeSpan? wait = headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
            _ => null,
        };
        foreach (var name in extraHeaders)
        {
            if (!headers.TryGetValues(name, out var values)) continue;
            foreach (var value in values)
            {
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                {
                    var asked = TimeSpan.FromSeconds(seconds);
                    // Several throttles may apply at once; only the longest wait satisfies all of them.
                    if (wait is null || asked > wait) wait = asked;
                }
            }
        }

        return wait;
    }
}
