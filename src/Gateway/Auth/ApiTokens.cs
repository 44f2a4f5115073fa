using System.Security.Cryptography;
using System.Text;

namespace CloudSentinel.Gateway.Auth;

/// <summary>
/// Tenant token format: "cst_{id}_{secret}", id 16 hex characters (what lists and revocations name),
/// secret 32 random bytes in base64url. Only the SHA-256 of the whole token is stored: a token is
/// 256 random bits, so a slow password hash would add nothing but latency.
/// </summary>
public static class ApiTokens
{
    private const string Prefix = "cst_";

    public static (string Id, string Token) Generate()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (id, $"{Prefix}{id}_{secret}");
    }

    /// <summary>The id of a well-formed tenant token, else null.</summary>
    public static string? IdOf(string token)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length < Prefix.Length + 18) return null;
        var id = token.Substring(Prefix.Length, 16);
        return token[Prefix.Length + 16] == '_' && id.All(char.IsAsciiHexDigitLower) ? id : null;
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static bool Matches(byte[] storedHash, string token) => CryptographicOperations.FixedTimeEquals(storedHash, Hash(token));
}
