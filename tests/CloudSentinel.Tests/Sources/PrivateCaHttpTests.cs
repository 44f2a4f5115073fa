using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CloudSentinel.Sources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloudSentinel.Tests.Sources;

/// <summary>A kubernetes source's CaFile: a Prometheus whose certificate that CA signed is trusted, one signed by another CA is not.</summary>
public sealed class PrivateCaHttpTests
{
    private static X509Certificate2 Ca(string name, RSA key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 ServerCertificate(X509Certificate2 ca)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), [1, 2, 3, 4]);
        // Through PKCS#12, so Kestrel gets a certificate whose key it can use for TLS.
        return X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }

    [Fact]
    public async Task Only_a_certificate_signed_by_the_configured_CA_is_trusted()
    {
        using var caKey = RSA.Create(2048);
        using var otherKey = RSA.Create(2048);
        using var ca = Ca("cluster-ca", caKey);
        using var other = Ca("other-ca", otherKey);
        using var server = ServerCertificate(ca);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(server)));
        await using var app = builder.Build();
        app.Run(context => context.Response.WriteAsync("ok"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        var directory = Directory.CreateTempSubdirectory("cloudsentinel-ca-").FullName;
        var caFile = Path.Combine(directory, "ca.crt");
        var otherFile = Path.Combine(directory, "other.crt");
        await File.WriteAllTextAsync(caFile, ca.ExportCertificatePem());
        await File.WriteAllTextAsync(otherFile, other.ExportCertificatePem());
        try
        {
            using var trusting = PrivateCaHttp.Create(caFile);
            Assert.Equal("ok", await trusting.GetStringAsync(address));
            using var wrong = PrivateCaHttp.Create(otherFile);
            await Assert.ThrowsAsync<HttpRequestException>(() => wrong.GetStringAsync(address));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
