using Amazon.Runtime;
using Azure.Core;
using CloudSentinel.Connectors;
using Google.Apis.Auth.OAuth2;

namespace CloudSentinel.Sources;

/// <summary>Where pollers get cloud credentials. Production uses each SDK's standard chain; tests substitute fixed fakes.</summary>
public interface ISourceCredentials
{
    AWSCredentials Aws();

    TokenCredential Azure();

    Task<ITokenAccess> GcpAsync(CancellationToken cancellationToken);
}

/// <summary>The standard chains of <see cref="CloudCredentials"/>: environment, profiles, workload identity, instance metadata.</summary>
public sealed class StandardSourceCredentials : ISourceCredentials
{
    public AWSCredentials Aws() => CloudCredentials.Aws();

    public TokenCredential Azure() => CloudCredentials.Azure();

    public Task<ITokenAccess> GcpAsync(CancellationToken cancellationToken) => CloudCredentials.GcpAsync(cancellationToken);
}
