using System.Globalization;

namespace CloudSentinel.Cli;

/// <summary>
/// cloudsentinel backfill --tenant T --focus PATH | --source NAME --from DATE --to DATE
/// cloudsentinel export focus --tenant T --from TIME --to TIME [--format csv|parquet] [--out PATH]
/// cloudsentinel tokens create --tenant T --roles ingest,read | list [--tenant T] | revoke --id ID
/// </summary>
public static class CliApp
{
    public const string DefaultGateway = "http://127.0.0.1:3030";
    public const string GatewayVariable = "CLOUDSENTINEL_GATEWAY";
    public const string TokenVariable = "CLOUDSENTINEL_TOKEN";

    public const string Usage = """
        usage:
          cloudsentinel backfill --tenant T --focus PATH
              Uploads a FOCUS export (CSV, gzip CSV or Parquet) to the gateway and prints what loaded.
          cloudsentinel backfill --tenant T --source NAME --from YYYY-MM-DD --to YYYY-MM-DD
              Has the gateway poll a configured API source one UTC day at a time, both dates included.
          cloudsentinel export focus --tenant T --from TIME --to TIME [--format csv|parquet] [--out PATH]
              Downloads the tenant's hourly costs in [from, to) as a FOCUS 1.3 file (TIME: YYYY-MM-DD or
              RFC 3339; --out - writes to stdout; default name focus-1.3-T-FROM-TO.csv). Needs the read role.
          cloudsentinel tokens create --tenant T --roles ingest,read
              Creates a tenant token (admin token needed) and prints it once.
          cloudsentinel tokens list [--tenant T]
              Lists token ids, tenants, roles and creation times (never the secrets).
          cloudsentinel tokens revoke --id ID
              Revokes a token; every gateway refuses it within seconds.

        every command takes [--gateway URL] [--token TOKEN]:
          --gateway defaults to $CLOUDSENTINEL_GATEWAY, else http://127.0.0.1:3030;
          --token defaults to $CLOUDSENTINEL_TOKEN (./run.sh writes the admin token to .run/admin.token).
        exit codes: 0 done, 1 loaded with rejected rows, 2 usage, 3 refused by the gateway (nothing loaded),
                    4 gateway unreachable or a day failed, 5 source credentials refused.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await stdout.WriteLineAsync(Usage);
            return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Ok;
        }

        var tokens = args[0] == "tokens";
        var export = args[0] == "export";
        if (!tokens && !export && args[0] != "backfill") return await UsageError(stderr, $"unknown command '{args[0]}'");
        if (tokens && (args.Length < 2 || args[1] is not ("create" or "list" or "revoke"))) return await UsageError(stderr, "tokens needs create, list or revoke");
        if (export && (args.Length < 2 || args[1] != "focus")) return await UsageError(stderr, "export needs focus (export focus --tenant T --from … --to …)");
        if (!TryParseOptions(args.AsSpan(tokens || export ? 2 : 1), out var options, out var problem)) return await UsageError(stderr, problem);

        var gatewayText = options.GetValueOrDefault("gateway") ?? Environment.GetEnvironmentVariable(GatewayVariable) ?? DefaultGateway;
        if (!Uri.TryCreate(gatewayText, UriKind.Absolute, out var gateway) || gateway.Scheme is not ("http" or "https"))
        {
            return await UsageError(stderr, $"--gateway '{gatewayText}' is not an http(s) URL");
        }

        var token = options.GetValueOrDefault("token") ?? Environment.GetEnvironmentVariable(TokenVariable);
        if (string.IsNullOrWhiteSpace(token))
        {
            return await UsageError(stderr, $"no API token: pass --token or set ${TokenVariable} (./run.sh writes the admin token to .run/admin.token)");
        }

        using var http = new HttpClient { BaseAddress = gateway, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Trim());
        try
        {
            if (tokens) return await TokenCommands.RunAsync(http, args[1], options, stdout, stderr, cancellationToken);
            var tenant = options.GetValueOrDefault("tenant");
            if (string.IsNullOrWhiteSpace(tenant)) return await UsageError(stderr, "--tenant is required");
            if (export) return await ExportAsync(http, tenant, options, stdout, stderr, cancellationToken);

            if (options.TryGetValue("focus", out var path))
            {
                if (options.ContainsKey("source")) return await UsageError(stderr, "give either --focus or --source, not both");
                if (!File.Exists(path)) return await UsageError(stderr, $"--focus: no file at '{path}'");
                return await FocusUpload.RunAsync(http, tenant, path, stdout, stderr, cancellationToken);
            }

            if (options.TryGetValue("source", out var source))
            {
                if (!TryDate(options.GetValueOrDefault("from"), out var from) || !TryDate(options.GetValueOrDefault("to"), out var to))
                {
                    return await UsageError(stderr, "--source needs --from and --to as UTC dates, YYYY-MM-DD");
                }

                if (to < from) return await UsageError(stderr, $"--to {to:yyyy-MM-dd} is before --from {from:yyyy-MM-dd}");
                return await SourceBackfill.RunAsync(http, tenant, source, from, to, stdout, stderr, cancellationToken);
            }
        }
        catch (HttpRequestException e)
        {
            await stderr.WriteLineAsync($"error: cannot reach the gateway at {gateway}: {e.Message}");
            return ExitCodes.Failed;
        }

        return await UsageError(stderr, "give --focus PATH or --source NAME");
    }

    private static async Task<int> ExportAsync(HttpClient http, string tenant, Dictionary<string, string> options, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!options.TryGetValue("from", out var from) || !options.TryGetValue("to", out var to))
        {
            return await UsageError(stderr, "export focus needs --from and --to (YYYY-MM-DD or RFC 3339)");
        }

        var format = options.GetValueOrDefault("format") ?? "csv";
        if (format is not ("csv" or "parquet")) return await UsageError(stderr, $"--format '{format}' is not csv or parquet");
        return await FocusDownload.RunAsync(http, tenant, from, to, format, options.GetValueOrDefault("out"), stdout, stderr, cancellationToken);
    }

    private static bool TryParseOptions(ReadOnlySpan<string> args, out Dictionary<string, string> options, out string problem)
    {
        string[] known = ["tenant", "focus", "source", "from", "to", "gateway", "token", "roles", "id", "format", "out"];
        options = new Dictionary<string, string>(StringComparer.Ordinal);
        problem = "";
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : null;
            string? value = null;
            if (name?.IndexOf('=') is > 0 and var eq)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }

            if (name is null || !known.Contains(name))
            {
                problem = $"unknown argument '{arg}'";
                return false;
            }

            if (value is null)
            {
                if (i + 1 >= args.Length)
                {
                    problem = $"--{name} needs a value";
                    return false;
                }

                value = args[++i];
            }

            options[name] = value;
        }

        return true;
    }

    private static bool TryDate(string? text, out DateTime date) =>
        DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    internal static async Task<int> UsageError(TextWriter stderr, string problem)
    {
        await stderr.WriteLineAsync($"error: {problem}");
        await stderr.WriteLineAsync(Usage);
        return ExitCodes.Usage;
    }
}
