using CloudSentinel.Connectors;

namespace CloudSentinel.Sources;

/// <summary>
/// Builds the connector of a configured source. One pooled HttpClient serves every source; a
/// credential chain that finds nothing is reported as an auth failure, so the source stops with that
/// message instead of retrying forever.
/// </summary>
public sealed class SourceConnectorFactory(ISourceCredentials credentials) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        // Each connector bounds its own attempts (RetryOptions.AttemptTimeout); this must not cut them short.
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<ICostSource> CreateAsync(SourceDefinition source, CancellationToken cancellationToken)
    {
        Uri? endpoint = source.Endpoint is null ? null : new Uri(source.Endpoint);
        switch (source.Kind)
        {
            case SourceDefinition.Aws:
            {
                var defaults = new AwsCostExplorerOptions { Tenant = source.Tenant };
                var options = defaults with
                {
                    AccountId = source.AccountId ?? defaults.AccountId,
                    Endpoint = endpoint ?? defaults.Endpoint,
                    Hourly = source.Hourly,
                    Metric = source.Metric ?? defaults.Metric,
                    ServiceTagKey = source.ServiceTagKey ?? defaults.ServiceTagKey,
                    UsdRates = source.UsdRates ?? defaults.UsdRates,
                    RequestBudget = source.RequestBudget ?? defaults.RequestBudget,
                };
                return new AwsCostExplorerConnector(_http, options, Credential(source, credentials.Aws));
            }

            case SourceDefinition.Azure:
            {
                var defaults = new AzureCostManagementOptions { Tenant = source.Tenant, Scope = source.Scope! };
                var options = defaults with
                {
                    AccountId = source.AccountId,
                    Endpoint = endpoint ?? defaults.Endpoint,
                    CostKind = source.CostKind ?? defaults.CostKind,
                    CostColumn = source.CostColumn ?? defaults.CostColumn,
                    ServiceTagKey = source.ServiceTagKey ?? defaults.ServiceTagKey,
                    UsdRates = source.UsdRates ?? defaults.UsdRates,
                    RequestBudget = source.RequestBudget ?? defaults.RequestBudget,
                };
                return new AzureCostManagementConnector(_http, options, Credential(source, credentials.Azure));
            }

            case SourceDefinition.Kubernetes:
                return new KubernetesUsageConnector(source.CaFile is null ? _http : PrivateCaHttp.Create(source.CaFile), source.KubernetesOptions());

            default:
            {
                var defaults = new GcpBillingExportOptions { Tenant = source.Tenant, ProjectId = source.ProjectId!, Table = source.Table! };
                var options = defaults with
                {
                    Location = source.Location,
                    Endpoint = endpoint ?? defaults.Endpoint,
                    ServiceLabelKeys = source.ServiceLabelKeys ?? defaults.ServiceLabelKeys,
                    UsdRates = source.UsdRates ?? defaults.UsdRates,
                    RequestBudget = source.RequestBudget ?? defaults.RequestBudget,
                };
                var token = await CredentialAsync(source, () => credentials.GcpAsync(cancellationToken));
                return new GcpBillingExportConnector(_http, options, token);
            }
        }
    }

    private static T Credential<T>(SourceDefinition source, Func<T> resolve)
    {
        try
        {
            return resolve();
        }
        catch (Exception ex)
        {
            throw NoCredentials(source, ex);
        }
    }

    private static async Task<T> CredentialAsync<T>(SourceDefinition source, Func<Task<T>> resolve)
    {
        try
        {
            return await resolve();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw NoCredentials(source, ex);
        }
    }

    /// <summary>The SDKs' messages say which chain links they tried and name no secret.</summary>
    private static ConnectorAuthException NoCredentials(SourceDefinition source, Exception ex) =>
        new(source.Key, $"no {source.Kind} credentials found by the standard chain ({ex.GetType().Name}: {ex.Message})", ex);

    public void Dispose() => _http.Dispose();
}
