using System.Text;
using CloudSentinel.Gateway;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CloudSentinel.Tests.Unit;

/// <summary>The 400 bodies that the budget, anomaly, console and token endpoints answer, byte for byte.</summary>
public sealed class ErrorResponseTests
{
    private static async Task<(int Status, string Body)> Run(IResult result)
    {
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().AddOptions().BuildServiceProvider() };
        var body = new MemoryStream();
        http.Response.Body = body;
        await result.ExecuteAsync(http);
        return (http.Response.StatusCode, Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public async Task Problem_names_the_field_before_a_colon_and_in_its_own_member()
    {
        var (status, body) = await Run(ErrorResponse.Problem("amount_usd", "is required"));

        Assert.Equal(400, status);
        Assert.Equal("""{"message":"amount_usd: is required","field":"amount_usd"}""", body);
    }

    [Fact]
    public async Task BadRequest_keeps_the_message_as_given_and_may_blame_no_field()
    {
        Assert.Equal((400, """{"message":"roles must name at least one of ingest, read","field":"roles"}"""),
            await Run(ErrorResponse.BadRequest("roles must name at least one of ingest, read", "roles")));
        Assert.Equal((400, """{"message":"bad","field":null}"""), await Run(ErrorResponse.BadRequest("bad")));
    }
}
