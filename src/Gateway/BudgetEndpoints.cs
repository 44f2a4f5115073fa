using System.Text.Json;
using CloudSentinel.Anomalies;
using CloudSentinel.Core;
using CloudSentinel.Gateway.Auth;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Gateway;

/// <summary>
/// Monthly budgets: PUT/GET/DELETE /api/cloudsentinel/budgets/{tenant}/{service} (service "*" is the
/// tenant's total) and GET /api/cloudsentinel/budgets/{tenant}. Amounts are USD; nothing else is accepted.
/// </summary>
public static class BudgetEndpoints
{
    private const string Route = "/api/cloudsentinel/budgets";

    public static void MapBudgets(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Route + "/{tenant}", async (string tenant, IClusterClient client) =>
        {
            if (Names.CheckTenant(tenant) is { } problem) return ApiProblem.Invalid("tenant", problem);
            var budgets = await client.GetGrain<ITenantBudgetGrain>(tenant).GetAll();
            return Results.Json(budgets.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => new BudgetResponse(tenant, b.Key, b.Value, "USD")));
        }).RequireRole(ApiPrincipal.ReadRole);

        routes.MapGet(Route + "/{tenant}/{**service}", async (string tenant, string service, IClusterClient client) =>
        {
            if (CheckKey(tenant, service) is { } problem) return problem;
            var amount = await client.GetGrain<ITenantBudgetGrain>(tenant).Get(service);
            return amount is { } value
                ? Results.Json(new BudgetResponse(tenant, service, value, "USD"))
                : ApiProblem.Of(StatusCodes.Status404NotFound, $"no budget for tenant '{tenant}', service '{service}'");
        }).RequireRole(ApiPrincipal.ReadRole);

        routes.MapPut(Route + "/{tenant}/{**service}", async (string tenant, string service, HttpContext http, IClusterClient client) =>
        {
            if (CheckKey(tenant, service) is { } problem) return problem;
            var (amount, error) = await ReadBodyAsync(http);
            if (error is not null) return error;
            await client.GetGrain<ITenantBudgetGrain>(tenant).Set(service, amount);
            return Results.Json(new BudgetResponse(tenant, service, amount, "USD"));
        }).RequireRole(ApiPrincipal.IngestRole);

        routes.MapDelete(Route + "/{tenant}/{**service}", async (string tenant, string service, IClusterClient client) =>
        {
            if (CheckKey(tenant, service) is { } problem) return problem;
            return await client.GetGrain<ITenantBudgetGrain>(tenant).Remove(service)
                ? Results.NoContent()
                : ApiProblem.Of(StatusCodes.Status404NotFound, $"no budget for tenant '{tenant}', service '{service}'");
        }).RequireRole(ApiPrincipal.IngestRole);
    }

    private static IResult? CheckKey(string tenant, string service)
    {
        if (Names.CheckTenant(tenant) is { } tenantProblem) return ApiProblem.Invalid("tenant", tenantProblem);
        if (service != Budgets.TenantTotal && Names.CheckServiceName(service) is { } serviceProblem) return ApiProblem.Invalid("service", serviceProblem);
        return null;
    }

    /// <summary>Reads {"amount_usd": number, "currency": "USD"}: a positive, finite amount no larger than the validator's cap.</summary>
    private static async Task<(decimal Amount, IResult? Error)> ReadBodyAsync(HttpContext http)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (JsonException ex)
        {
            return (0, ApiProblem.Invalid("body", $"is not valid JSON: {ex.Message}"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (0, ApiProblem.Invalid("body", "must be a JSON object like {\"amount_usd\": 1000, \"currency\": \"USD\"}"));
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Add(property.Name)) return (0, ApiProblem.Invalid(property.Name, "appears more than once; send each field once"));
            }

            if (!root.TryGetProperty("amount_usd", out var amountElement)) return (0, ApiProblem.Invalid("amount_usd", "is required"));
            if (amountElement.ValueKind != JsonValueKind.Number) return (0, ApiProblem.Invalid("amount_usd", $"must be a JSON number, got {amountElement.ValueKind.ToString().ToLowerInvariant()}"));
            if (!amountElement.TryGetDecimal(out var amount)) return (0, ApiProblem.Invalid("amount_usd", $"is out of range (at most {BudgetValidator.MaxAmountUsd} USD)"));
            if (BudgetValidator.CheckAmount((double)amount) is { } amountProblem) return (0, ApiProblem.Invalid("amount_usd", amountProblem));
            var currency = "USD";
            if (root.TryGetProperty("currency", out var currencyElement))
            {
                if (currencyElement.ValueKind != JsonValueKind.String) return (0, ApiProblem.Invalid("currency", $"must be a string such as \"USD\", got {currencyElement.ValueKind.ToString().ToLowerInvariant()}"));
                try
                {
                    currency = currencyElement.GetString();
                }
                catch (InvalidOperationException)
                {
                    return (0, ApiProblem.Invalid("currency", "is not valid text (an unpaired surrogate or invalid UTF-8)"));
                }
            }

            if (BudgetValidator.CheckCurrency(currency) is { } currencyProblem) return (0, ApiProblem.Invalid("currency", currencyProblem));
            return (amount, null);
        }
    }

    public sealed record BudgetResponse(string Tenant, string ServiceName, decimal AmountUsd, string Currency);
}
