using System.Text;
using CloudSentinel.Gateway;
using CloudSentinel.Gateway.Ingest;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CloudSentinel.Tests.Unit;

/// <summary>The RFC 9457 bodies that every refusal of the gateway answers, byte for byte.</summary>
public sealed class ApiProblemTests
{
    private static Task<(int Status, string? ContentType, string Body, HttpContext Http)> Run(IResult result) => Run(_ => result);

    private static async Task<(int Status, string? ContentType, string Body, HttpContext Http)> Run(Func<HttpContext, IResult> answer)
    {
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().AddOptions().BuildServiceProvider() };
        var body = new MemoryStream();
        http.Response.Body = body;
        await answer(http).ExecuteAsync(http);
        return (http.Response.StatusCode, http.Response.ContentType, Encoding.UTF8.GetString(body.ToArray()), http);
    }

    [Fact]
    public async Task Invalid_names_the_field_before_a_colon_and_in_its_own_member()
    {
        var (status, contentType, body, _) = await Run(ApiProblem.Invalid("amount_usd", "is required"));

        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal("""{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"Bad Request","status":400,"detail":"amount_usd: is required","field":"amount_usd"}""", body);
    }

    [Fact]
    public async Task Of_keeps_the_detail_as_given_and_may_blame_no_field()
    {
        Assert.Equal("""{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"Bad Request","status":400,"detail":"roles must name at least one of ingest, read","field":"roles"}""",
            (await Run(ApiProblem.Of(400, "roles must name at least one of ingest, read", "roles"))).Body);
        Assert.Equal("""{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.5","title":"Not Found","status":404,"detail":"bad"}""",
            (await Run(ApiProblem.Of(404, "bad"))).Body);
    }

    [Fact]
    public async Task Ingest_lists_the_counts_and_each_record_with_field_and_reason()
    {
        var (status, _, body, _) = await Run(ApiProblem.Ingest(400, "1 of 2 records were rejected", 2, 1, [new IngestResponse.ErrorItem(1, "cost_usd", "is required")]));

        Assert.Equal(400, status);
        Assert.Equal("""{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"Bad Request","status":400,"detail":"1 of 2 records were rejected","records":2,"rejected":1,"errors":[{"record":1,"field":"cost_usd","reason":"is required"}]}""", body);
    }

    [Fact]
    public async Task RetryLater_sets_retry_after_and_gives_the_reason_its_own_member()
    {
        var (status, _, body, http) = await Run(http => ApiProblem.RetryLater(http, 503, 5, "PostgreSQL is down; retry after 5 s", "PostgreSQL is down"));

        Assert.Equal(503, status);
        Assert.Equal("5", http.Response.Headers.RetryAfter.ToString());
        Assert.Equal("""{"type":"https://tools.ietf.org/html/rfc9110#section-15.6.4","title":"Service Unavailable","status":503,"detail":"PostgreSQL is down; retry after 5 s","reason":"PostgreSQL is down"}""", body);

        var limited = await Run(http => ApiProblem.RetryLater(http, 429, 2, "over the rate"));
        Assert.Equal(429, limited.Status);
        Assert.Equal("2", limited.Http.Response.Headers.RetryAfter.ToString());
        Assert.Equal("""{"title":"Too Many Requests","status":429,"detail":"over the rate"}""", limited.Body);
    }
}
