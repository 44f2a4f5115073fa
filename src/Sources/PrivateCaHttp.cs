using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace CloudSentinel.Sources;

/// <summary>
/// An HttpClient that trusts exactly one CA (a cluster's own, as in a kubeconfig's certificate-authority)
/// instead of the system's roots, for a Prometheus inside the cluster.
/// </summary>
public static class PrivateCaHttp
{
    public static HttpClient Create(string caFile)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(certificate));
                },
            },
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
