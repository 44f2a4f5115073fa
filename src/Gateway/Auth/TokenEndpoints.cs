using System.Text.Json;
using CloudSentinel.Core;
using CloudSentinel.Ingestion;
using CloudSentinel.Storage;
using CloudSentinel.Storage.Queries;

namespace CloudSentinel.Gateway.Auth;

/// <summary>
/// Token management, admin only: POST /api/cloudsentinel/tokens {"tenant","roles"} → 201 {"id","token"}
/// (the only time the secret is shown); GET /api/cloudsentinel/tokens?tenant= lists ids, tenants,
/// roles and creation times; DELETE /api/cloudsentinel/tokens/{id} → 204.
/// </summary>
public static class TokenEndpoints
{
    public const string Path = TokenAuthentication.ApiPrefix + "/tokens";

    public sealed record CreateRequest(string? Tenant, string[]? Roles);

    public sealed record Created(string Id, string Token, string Tenant, string[] Roles, DateTime CreatedAt);

    public sealed record Listed(string Id, string Tenant, string[] Roles, DateTime CreatedAt);

    public static void MapTokens(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(Path, async (HttpContext http, ITokenStore store, TenantRoles tenantRoles, ILogger<TokenAuthentication> logger) =>
        {
            CreateRequest? request;
            try
            {
                request = await JsonSerializer.DeserializeAsync<CreateRequest>(http.Request.Body, JsonSerializerOptions.Web, http.RequestAborted);
            }
            catch (JsonException e)
            {
                return ApiProblem.Of(StatusCodes.Status400BadRequest, $"body is not a JSON object {{\"tenant\",\"roles\"}}: {e.Message}", "body");
            }

            if (Names.CheckTenant(request?.Tenant) is { } tenantProblem) return ApiProblem.Of(StatusCodes.Status400BadRequest, $"tenant {tenantProblem}", "tenant");
            var roles = request!.Roles ?? [];
            if (roles.Length == 0) return ApiProblem.Of(StatusCodes.Status400BadRequest, "roles must name at least one of ingest, read", "roles");
            if (roles.FirstOrDefault(r => !ApiPrincipal.AllRoles.Contains(r)) is { } unknown) return ApiProblem.Of(StatusCodes.Status400BadRequest, $"roles '{unknown}' is not one of ingest, read", "roles");

            var (id, token) = ApiTokens.Generate();
            var stored = new StoredToken(id, request.Tenant!, [.. roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], ApiTokens.Hash(token), DateTime.UtcNow);
            await tenantRoles.EnsureAsync(stored.Tenant, http.RequestAborted);
            await store.CreateAsync(stored, http.RequestAborted);
            logger.LogInformation("Created token {Id} for tenant {Tenant} with roles {Roles}", id, stored.Tenant, string.Join(",", stored.Roles));
            return Results.Json(new Created(id, token, stored.Tenant, stored.Roles, stored.CreatedAt), statusCode: StatusCodes.Status201Created);
        }).RequireAdmin();

        routes.MapGet(Path, async (string? tenant, ITokenStore store, CancellationToken cancellationToken) =>
        {
            if (tenant is not null && Names.CheckTenant(tenant) is { } problem) return ApiProblem.Of(StatusCodes.Status400BadRequest, $"tenant {problem}", "tenant");
            var tokens = await store.ListAsync(tenant, cancellationToken);
            return Results.Json(tokens.Select(t => new Listed(t.Id, t.Tenant, t.Roles, t.CreatedAt)));
        }).RequireAdmin();

        routes.MapDelete(Path + "/{id}", async (string id, ITokenStore store, ILogger<TokenAuthentication> logger, CancellationToken cancellationToken) =>
        {
            if (!await store.RevokeAsync(id, cancellationToken))
            {
                return ApiProblem.Of(StatusCodes.Status404NotFound, $"no token with id '{id}'", "id");
            }

            logger.LogInformation("Revoked token {Id}", id);
            return Results.NoContent();
        }).RequireAdmin();
    }
}
