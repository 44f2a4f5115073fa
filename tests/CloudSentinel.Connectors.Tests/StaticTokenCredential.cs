using Azure.Core;
using Google.Apis.Auth.OAuth2;

namespace CloudSentinel.Connectors.Tests;

/// <summary>A fixed Azure token, or a refusal as the real credential chain raises it.</summary>
internal sealed class StaticTokenCredential(string? token) : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        token is null ? throw new InvalidOperationException("DefaultAzureCredential failed to retrieve a token") : new AccessToken(token, DateTimeOffset.MaxValue);

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

/// <summary>A fixed Google access token.</summary>
internal sealed class StaticGoogleToken(string token) : ITokenAccess
{
    public Task<string> GetAccessTokenForRequestAsync(string? authUri = null, CancellationToken cancellationToken = default) => Task.FromResult(token);
}
