using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Azure.Core;
using Azure.Identity;
using Google.Apis.Auth.OAuth2;

namespace CloudSentinel.Connectors;

/// <summary>
/// Each cloud's standard credential chain, so that keys come from the environment, profile files,
/// workload identity or instance metadata as every SDK user expects, never from our configuration.
/// </summary>
public static class CloudCredentials
{
    /// <summary>The AWS SDK default chain: environment, shared profile, SSO, web identity, container and instance roles.</summary>
    public static AWSCredentials Aws() => DefaultAWSCredentialsIdentityResolver.GetCredentials();

    /// <summary>DefaultAzureCredential: environment, workload identity, managed identity, Azure CLI.</summary>
    public static TokenCredential Azure() => new DefaultAzureCredential();

    /// <summary>Application Default Credentials with the read-only BigQuery scope.</summary>
    public static async Task<ITokenAccess> GcpAsync(CancellationToken cancellationToken = default) =>
        (await GoogleCredential.GetApplicationDefaultAsync(cancellationToken)).CreateScoped("https://www.googleapis.com/auth/bigquery.readonly");
}
