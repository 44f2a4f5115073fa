using System.Net;
using System.Text;

namespace CloudSentinel.Testing;

/// <summary>A client that sends an ingest body until a 200, waiting as long as each Retry-After says; it keeps every other answer.</summary>
public static class PatientClient
{
    public static async Task<List<string>> SendAsync(HttpClient http, string body, TimeSpan patience)
    {
        var refusals = new List<string>();
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            TimeSpan? wait = null;
            try
            {
                using var response = await http.PostAsync("/api/cloudsentinel/ingest", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
                if (response.StatusCode == HttpStatusCode.OK) return refusals;
                wait = response.Headers.RetryAfter?.Delta;
                refusals.Add($"{(int)response.StatusCode} retry-after={wait?.TotalSeconds}: {await response.Content.ReadAsStringAsync()}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                refusals.Add($"no answer: {ex.Message}");
            }

            if (DateTime.UtcNow > deadline) throw new TimeoutException($"a request was never acknowledged: {string.Join(" | ", refusals.TakeLast(3))}");
            await Task.Delay(wait ?? TimeSpan.FromMilliseconds(250));
        }
    }
}
