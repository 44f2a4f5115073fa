using CloudSentinel.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Tests.Unit;

/// <summary>A misconfigured gateway stops when it starts, with the options class's own message, before it takes a request.</summary>
public sealed class OptionsAtStartTests
{
    private static WebApplication Gateway(Dictionary<string, string?> settings) => GatewayApp.Build([], b => b.Configuration.AddInMemoryCollection(
        new Dictionary<string, string?>(settings) { ["Auth:AdminToken"] = settings.GetValueOrDefault("Auth:AdminToken", new string('a', 32)), ["Urls"] = "http://127.0.0.1:0" }));

    [Theory]
    [InlineData("RateLimits:Burst", "0", "RateLimits:Burst must be at least 1")]
    [InlineData("Backpressure:MaxBacklogMessages", "10", "Backpressure:MaxBacklogMessages must be at least 100")]
    [InlineData("Alerts:AnomalyImpactFloorUsd", "-1", "Alerts:AnomalyImpactFloorUsd must not be negative")]
    public async Task A_bad_value_stops_the_gateway_at_start_naming_the_setting(string key, string value, string message)
    {
        await using var app = Gateway(new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Equal(message, error.Message);
    }

    /// <summary>The token check and the console's switch are read while the pipeline is built, so these stop it even earlier.</summary>
    [Theory]
    [InlineData("Auth:AdminToken", "short", "Auth:AdminToken must be at least 32 characters")]
    [InlineData("Console:MaxSessions", "0", "Console:MaxSessions must be at least 1")]
    public void A_bad_value_read_to_build_the_pipeline_stops_the_gateway_before_it_serves(string key, string value, string message)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Gateway(new() { [key] = value }));
        Assert.Equal(message, error.Message);
    }
}
