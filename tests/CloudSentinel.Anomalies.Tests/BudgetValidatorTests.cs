using CloudSentinel.Anomalies;

namespace CloudSentinel.Anomalies.Tests;

public sealed class BudgetValidatorTests
{
    [Fact]
    public void Valid_service_budget()
    {
        var result = BudgetValidator.Validate("acme", "checkout", 1500.5);

        Assert.True(result.IsValid);
        Assert.Equal(new MonthlyBudget("acme", "checkout", 1500.5m), result.Budget);
        Assert.False(result.Budget!.IsTenantTotal);
    }

    [Fact]
    public void Star_is_the_tenant_total()
    {
        var result = BudgetValidator.Validate("acme", "*", 10_000, "USD");

        Assert.True(result.Budget!.IsTenantTotal);
    }

    [Theory]
    [InlineData(-5.0, "amount_usd: must be positive, got -5")]
    [InlineData(0.0, "amount_usd: must be positive, got 0")]
    [InlineData(double.NaN, "amount_usd: must be a finite number")]
    [InlineData(double.PositiveInfinity, "amount_usd: must be a finite number")]
    [InlineData(double.NegativeInfinity, "amount_usd: must be a finite number")]
    [InlineData(2e12, "amount_usd: must be at most 1000000000000, got 2000000000000")]
    public void Bad_amounts_are_rejected_with_the_field_named(double amount, string error)
    {
        var result = BudgetValidator.Validate("acme", "checkout", amount);

        Assert.False(result.IsValid);
        Assert.Null(result.Budget);
        Assert.Equal(error, result.Error);
    }

    [Fact]
    public void The_largest_allowed_amount_is_accepted()
    {
        Assert.True(BudgetValidator.Validate("acme", "checkout", 1e12).IsValid);
    }

    [Theory]
    [InlineData("EUR", "currency: 'EUR' is not supported; budgets are in USD")]
    [InlineData("usd", "currency: 'usd' is not supported; budgets are in USD")]
    public void Only_USD_is_accepted(string currency, string error)
    {
        Assert.Equal(error, BudgetValidator.Validate("acme", "checkout", 10, currency).Error);
    }

    [Fact]
    public void Missing_currency_means_USD()
    {
        Assert.True(BudgetValidator.Validate("acme", "checkout", 10, null).IsValid);
    }

    [Theory]
    [InlineData(null, "tenant: is required")]
    [InlineData("", "tenant: is required")]
    [InlineData("Acme", "tenant: 'Acme' does not match [a-z0-9][a-z0-9_-]{0,63}")]
    [InlineData("-acme", "tenant: '-acme' does not match [a-z0-9][a-z0-9_-]{0,63}")]
    public void Bad_tenants_are_rejected(string? tenant, string error)
    {
        Assert.Equal(error, BudgetValidator.Validate(tenant, "checkout", 10).Error);
    }

    [Fact]
    public void Tenant_longer_than_64_characters_is_rejected()
    {
        Assert.StartsWith("tenant: ", BudgetValidator.Validate(new string('a', 65), "checkout", 10).Error);
    }

    [Theory]
    [InlineData(null, "service_name: must not be empty")]
    [InlineData("", "service_name: must not be empty")]
    [InlineData("   ", "service_name: must not be empty")]
    [InlineData(" checkout", "service_name: must not start or end with white space")]
    [InlineData("check\u0007out", "service_name: must not contain control characters")]
    public void Bad_service_names_are_rejected(string? service, string error)
    {
        Assert.Equal(error, BudgetValidator.Validate("acme", service, 10).Error);
    }

    [Fact]
    public void Service_name_longer_than_128_characters_is_rejected()
    {
        Assert.Equal("service_name: is longer than 128 characters", BudgetValidator.Validate("acme", new string('s', 129), 10).Error);
    }
}
