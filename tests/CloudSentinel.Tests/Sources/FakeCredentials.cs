using Amazon.Runtime;
using Azure.Core;
using CloudSentinel.Sources;
using Google.Apis.Auth.OAuth2;

namespace CloudSentinel.Tests.Sources;

/// <summary>Fixed test credentials in place of the clouds' standard chains, which would look for real ones.</summary>
public sealed class FakeCredentials : ISourceCredentials
{
    public AWSCredentials Aws() => new BasicAWSCredentials("AKIDTEST", "secret-test-key");

    public TokenCredential Azure() => new StaticToken();

    public Task<ITokenAccess> GcpAsync(CancellationToken cancellationToken) => Task.FromResult<ITokenAccess>(new StaticGoogleToken());

    private sealed class StaticToken : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => new("test-token", DateTimeOffset.MaxValue);

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    private sealed class StaticGoogleToken : ITokenAccess
    {
        public Task<string> GetAccessTokenForRequestAsync(string? authUri = null, CancellationToken cancellationToken = default) => Task.FromResult("test-token");
    }
}
