using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CloudSentinel.Connectors;

/// <summary>
/// AWS Signature Version 4 for a JSON-protocol POST. AWSSDK.Core's signer works on the SDK's own
/// internal request type, so signing an HttpRequestMessage ourselves is simpler and testable
/// against AWS's published examples; the SDK still supplies the credential chain.
/// </summary>
internal static class AwsSigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Adds X-Amz-Date, X-Amz-Security-Token (for temporary credentials) and Authorization.</summary>
    public static void Sign(HttpRequestMessage request, byte[] payload, AwsSigningCredentials credentials, string region, string service, DateTime utcNow)
    {
        var amzDate = utcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        request.Headers.Remove("X-Amz-Date");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (credentials.SessionToken is { Length: > 0 } token) request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);

        var uri = request.RequestUri ?? throw new ArgumentException("the request has no URI");
        var headers = new List<(string, string)> { ("host", uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}") };
        foreach (var header in request.Headers.Where(h => h.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add((header.Key, string.Join(",", header.Value)));
        }

        if (request.Content?.Headers.ContentType is { } contentType) headers.Add(("content-type", contentType.ToString()));

        var canonical = CanonicalRequest(request.Method.Method, uri.AbsolutePath, uri.Query.TrimStart('?'), headers, Hex(SHA256.HashData(payload)));
        var signature = Signature(canonical, amzDate, region, service, credentials.SecretKey);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{Algorithm} Credential={credentials.AccessKey}/{Scope(amzDate, region, service)}, SignedHeaders={SignedHeaders(headers)}, Signature={signature}");
    }

    public static string CanonicalRequest(string method, string path, string query, IReadOnlyList<(string Name, string Value)> headers, string payloadHash)
    {
        var text = new StringBuilder();
        text.Append(method).Append('\n');
        text.Append(path.Length == 0 ? "/" : path).Append('\n');
        text.Append(string.Join("&", query.Split('&', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal))).Append('\n');
        foreach (var (name, value) in Normalized(headers)) text.Append(name).Append(':').Append(value).Append('\n');
        text.Append('\n').Append(SignedHeaders(headers)).Append('\n').Append(payloadHash);
        return text.ToString();
    }

    public static string Signature(string canonicalRequest, string amzDate, string region, string service, string secretKey)
    {
        var stringToSign = $"{Algorithm}\n{amzDate}\n{Scope(amzDate, region, service)}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), amzDate[..8]);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        return Hex(Hmac(key, stringToSign));
    }

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static string Scope(string amzDate, string region, string service) => $"{amzDate[..8]}/{region}/{service}/aws4_request";

    private static string SignedHeaders(IReadOnlyList<(string Name, string Value)> headers) =>
        string.Join(";", Normalized(headers).Select(h => h.Name));

    private static IEnumerable<(string Name, string Value)> Normalized(IReadOnlyList<(string Name, string Value)> headers) =>
        headers.Select(h => (Name: h.Name.ToLowerInvariant(), Value: string.Join(" ", h.Value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))))
            .OrderBy(h => h.Name, StringComparer.Ordinal);

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}

/// <summary>The resolved key pair (and session token for temporary credentials) a request is signed with.</summary>
internal sealed record AwsSigningCredentials(string AccessKey, string SecretKey, string? SessionToken);
