using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using CloudSentinel.Ingestion;
using CloudSentinel.Storage.Queries;
using Microsoft.Extensions.Options;

namespace CloudSentinel.Gateway.Auth;

/// <summary>
/// Per-tenant request limits on the ingest endpoints. Section "RateLimits": a token bucket per tenant
/// of <see cref="Burst"/> requests, refilled at <see cref="RequestsPerSecond"/>; past it the answer is
/// 429 with Retry-After and nothing is applied. The admin token is not limited unless
/// <see cref="LimitAdmin"/> is set. With PostgreSQL the buckets are kept there
/// (<see cref="SharedTokenBucketLimiter"/>), so the limits hold across gateways; without it, per process.
/// </summary>
public sealed class IngestRateLimits
{
    public const string Section = "RateLimits";
    public const string Policy = "ingest-per-tenant";

    public bool Enabled { get; set; } = true;

    public int RequestsPerSecond { get; set; } = 50;

    public int Burst { get; set; } = 100;

    public bool LimitAdmin { get; set; }

    public IngestRateLimits Validate()
    {
        if (RequestsPerSecond < 1) throw new ArgumentException("RateLimits:RequestsPerSecond must be at least 1");
        if (Burst < 1) throw new ArgumentException("RateLimits:Burst must be at least 1");
        return this;
    }

    /// <summary>Binds and validates section "RateLimits" and sets up the rate limiter from what it holds; <paramref name="shared"/>: the buckets live in PostgreSQL.</summary>
    public static void AddIngestRateLimits(IServiceCollection services, IConfiguration configuration, bool shared)
    {
        services.AddValidatedOptions<IngestRateLimits>(configuration, Section, o => o.Validate());
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<IngestRateLimits>>((limiter, limits) => limits.Value.Configure(limiter, shared));
    }

    private void Configure(RateLimiterOptions limiter, bool shared)
    {
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.OnRejected = async (context, cancellationToken) =>
        {
            var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            var tenant = context.HttpContext.Features.Get<ApiPrincipal>()?.Tenant ?? "admin";
            await ApiProblem.RetryLater(context.HttpContext, StatusCodes.Status429TooManyRequests, seconds,
                $"tenant '{tenant}' is over its ingest rate of {RequestsPerSecond} requests/s (burst {Burst}); nothing from this request was applied; retry after {seconds} s")
                .ExecuteAsync(context.HttpContext);
        };
        limiter.AddPolicy(Policy, http =>
        {
            var principal = http.Features.Get<ApiPrincipal>();
            if (!Enabled || principal is null || (principal.IsAdmin && !LimitAdmin)) return RateLimitPartition.GetNoLimiter("unlimited");
            if (shared)
            {
                var logger = http.RequestServices.GetRequiredService<ILogger<SharedTokenBucketLimiter>>();
                var buckets = http.RequestServices.GetRequiredService<IIngestRateBuckets>();
                return RateLimitPartition.Get(principal.Tenant ?? "admin", tenant => new SharedTokenBucketLimiter(buckets, tenant, Burst, RequestsPerSecond, logger));
            }

            return RateLimitPartition.GetTokenBucketLimiter(principal.Tenant ?? "admin", _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Burst,
                TokensPerPeriod = RequestsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });
    }
}
