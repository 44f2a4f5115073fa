using System.Security.Cryptography;
using System.Text;
using Xunit;

namespace CloudSentinel.Connectors.Tests;

public sealed class AwsSigV4Tests
{
    /// <summary>AWS's published header-signing example (S3 GET Object of the first 10 bytes of test.txt).</summary>
    [Fact]
    public void Signature_matches_the_published_AWS_example()
    {
        var emptyHash = AwsSigV4.Hex(SHA256.HashData([]));
        var canonical = AwsSigV4.CanonicalRequest("GET", "/test.txt", "",
        [
            ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", emptyHash), ("x-amz-date", "20130524T000000Z"),
        ], emptyHash);

        Assert.Equal("7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972", AwsSigV4.Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
        Assert.Equal("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            AwsSigV4.Signature(canonical, "20130524T000000Z", "us-east-1", "s3", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
    }

    [Fact]
    public void Temporary_credentials_send_and_sign_their_session_token()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://ce.us-east-1.amazonaws.com/") { Content = new ByteArrayContent([]) };

        AwsSigV4.Sign(request, [], new AwsSigningCredentials("ASIATEST", "secret", "session-token"), "us-east-1", "ce", Utc.At(2024, 3, 10));

        Assert.Equal("session-token", request.Headers.GetValues("X-Amz-Security-Token").Single());
        Assert.Contains("SignedHeaders=host;x-amz-date;x-amz-security-token,", request.Headers.GetValues("Authorization").Single());
    }
}
