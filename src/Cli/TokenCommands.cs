using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CloudSentinel.Cli;

/// <summary>cloudsentinel tokens create|list|revoke: wrappers of /api/cloudsentinel/tokens (admin token needed).</summary>
public static class TokenCommands
{
    private const string Path = "api/cloudsentinel/tokens";

    public static async Task<int> RunAsync(HttpClient http, string command, Dictionary<string, string> options, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        switch (command)
        {
            case "create":
                var tenant = options.GetValueOrDefault("tenant");
                var roles = options.GetValueOrDefault("roles")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (string.IsNullOrWhiteSpace(tenant) || roles is not { Length: > 0 }) return await CliApp.UsageError(stderr, "tokens create needs --tenant and --roles (ingest,read)");
                using (var response = await http.PostAsJsonAsync(Path, new { tenant, roles }, cancellationToken))
                {
                    if (await Refused(response, stderr, cancellationToken) is { } code) return code;
                    using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                    await stdout.WriteLineAsync($"id:    {created.RootElement.GetProperty("id").GetString()}");
                    await stdout.WriteLineAsync($"token: {created.RootElement.GetProperty("token").GetString()}");
                    await stderr.WriteLineAsync("The token is shown once; keep it secret. Revoke it with: cloudsentinel tokens revoke --id ID");
                    return ExitCodes.Ok;
                }

            case "list":
                var query = options.TryGetValue("tenant", out var only) ? $"?tenant={Uri.EscapeDataString(only)}" : "";
                using (var response = await http.GetAsync(Path + query, cancellationToken))
                {
                    if (await Refused(response, stderr, cancellationToken) is { } code) return code;
                    using var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                    await stdout.WriteLineAsync($"{"id",-17} {"tenant",-24} {"roles",-12} created (UTC)");
                    foreach (var t in list.RootElement.EnumerateArray())
                    {
                        await stdout.WriteLineAsync($"{t.GetProperty("id").GetString(),-17} {t.GetProperty("tenant").GetString(),-24} " +
                            $"{string.Join(',', t.GetProperty("roles").EnumerateArray().Select(r => r.GetString())),-12} {t.GetProperty("createdAt").GetDateTime():yyyy-MM-dd HH:mm:ss}");
                    }

                    return ExitCodes.Ok;
                }

            default:
                if (!options.TryGetValue("id", out var id)) return await CliApp.UsageError(stderr, "tokens revoke needs --id");
                using (var response = await http.DeleteAsync($"{Path}/{Uri.EscapeDataString(id)}", cancellationToken))
                {
                    if (await Refused(response, stderr, cancellationToken) is { } code) return code;
                    await stdout.WriteLineAsync($"revoked {id}");
                    return ExitCodes.Ok;
                }
        }
    }

    private static async Task<int?> Refused(HttpResponseMessage response, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return null;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        await stderr.WriteLineAsync($"error: the gateway answered {(int)response.StatusCode} {response.ReasonPhrase}: {body}");
        return response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.InternalServerError ? ExitCodes.Failed : ExitCodes.Refused;
    }
}
