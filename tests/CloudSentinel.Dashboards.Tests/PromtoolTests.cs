using System.Text;
using System.Text.RegularExpressions;

namespace CloudSentinel.Dashboards.Tests;

/// <summary>The Prometheus configuration, rules and every PromQL expression, checked by the real promtool.</summary>
public sealed partial class PromtoolTests
{
    private static readonly string[] ExpectedAlerts =
    [
        "BudgetThresholdExceeded", "CloudSentinelGatewayDown", "CostAnomalyDetected", "CostDataStale",
        "ForecastExceedsBudget", "IngestApplyLagHigh", "IngestBacklogNearCap", "ServiceCostSpike", "UntaggedResourceCost",
    ];

    private static string RulesFile => RepoPaths.Combine("prometheus", "rules", "cloudsentinel.yml");

    [Fact]
    public void Prometheus_config_is_valid()
    {
        // promtool checks that the credentials file exists; the real one is a compose secret, so the
        // check runs on a copy that points at a stand-in token file.
        var copy = Directory.CreateTempSubdirectory("cloudsentinel-promtool-").FullName;
        try
        {
            CopyDirectory(RepoPaths.Combine("prometheus"), copy);
            var token = Path.Combine(copy, "token");
            File.WriteAllText(token, "stand-in");
            var config = Path.Combine(copy, "prometheus.yml");
            var text = File.ReadAllText(config);
            Assert.Contains("credentials_file: " + SecretPath, text);
            File.WriteAllText(config, text.Replace(SecretPath, token, StringComparison.Ordinal));

            var result = Promtool.Run("check", "config", config);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("1 rule files found", result.Output);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private const string SecretPath = "/run/secrets/cloudsentinel_token";

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories)) File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
    }

    [Fact]
    public void Config_scrapes_the_gateway_every_minute_on_the_contract_path()
    {
        var config = File.ReadAllText(RepoPaths.Combine("prometheus", "prometheus.yml"));

        Assert.Contains("metrics_path: /api/cloudsentinel/prometheus", config);
        Assert.Contains("targets: [\"cloudsentinel:3030\"]", config);
        Assert.Contains("scrape_interval: 1m", config);
        Assert.Contains("rules/*.yml", config);
    }

    [Fact]
    public void Alert_rules_are_valid()
    {
        var result = Promtool.Run("check", "rules", RulesFile);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void Every_alert_has_a_severity_summary_description_and_a_unit_test_file()
    {
        var rules = File.ReadAllText(RulesFile);
        var alerts = AlertName().Matches(rules).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToArray();
        var tests = string.Concat(Directory.GetFiles(RepoPaths.Combine("prometheus", "tests"), "*.yml").Select(File.ReadAllText));

        Assert.Equal(ExpectedAlerts, alerts);
        Assert.Equal(alerts.Length, Regex.Matches(rules, @"\n\s+severity: (critical|warning|info)\n").Count);
        Assert.Equal(alerts.Length, Regex.Matches(rules, @"\n\s+summary: ").Count);
        Assert.Equal(alerts.Length, Regex.Matches(rules, @"\n\s+description: ").Count);
        foreach (var alert in alerts)
        {
            Assert.Contains($"alertname: {alert}\n        exp_alerts: []", tests);
            Assert.Matches(new Regex($@"alertname: {alert}\n\s+exp_alerts:\n\s+- exp_labels"), tests);
        }
    }

    [Fact]
    public void No_rule_applies_rate_to_a_cost_gauge()
    {
        var withoutComments = string.Join('\n', File.ReadLines(RulesFile).Where(line => !line.TrimStart().StartsWith('#')));

        Assert.DoesNotMatch(@"\b(i?rate|increase)\(", withoutComments);
    }

    [Fact]
    public void Alert_rule_unit_tests_pass()
    {
        var tests = Directory.GetFiles(RepoPaths.Combine("prometheus", "tests"), "*.yml").Order(StringComparer.Ordinal).ToArray();
        Assert.True(tests.Length >= ExpectedAlerts.Length, "one promtool test file per alert expected");

        var result = Promtool.Run(["test", "rules", .. tests]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("FAILED", result.Output);
    }

    [Fact]
    public void Every_dashboard_PromQl_expression_parses()
    {
        // promtool 2.42 has no `promql` command; a rule file with one recording rule per panel
        // expression goes through the same parser. Grafana variables are replaced with values first.
        var yaml = new StringBuilder("groups:\n  - name: dashboard-expressions\n    rules:\n");
        var count = 0;
        foreach (var target in GrafanaDashboards.PromQlTargets)
        {
            var expr = ((string?)target.Target["expr"] ?? "")
                .Replace("$__rate_interval", "4m").Replace("$__interval", "1m").Replace("$__range", "1h")
                .Replace("$tenant", "acme").Replace("$service", "checkout");
            Assert.DoesNotContain("$", expr);
            yaml.Append($"      - record: dashboard:expression_{count++}\n        expr: '{expr.Replace("'", "''")}'\n");
        }

        var file = Path.Combine(Path.GetTempPath(), $"cloudsentinel-dashboard-promql-{Guid.NewGuid():N}.yml");
        File.WriteAllText(file, yaml.ToString());
        try
        {
            var result = Promtool.Run("check", "rules", file);

            Assert.True(result.ExitCode == 0, result.ToString() + "\n" + yaml);
            Assert.Contains($"{count} rules found", result.Output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Rules_use_only_contract_and_alerting_metrics()
    {
        foreach (Match metric in Regex.Matches(File.ReadAllText(RulesFile), @"\bcloudsentinel_[a-z_]+"))
        {
            Assert.True(ContractMetrics.Names.Contains(metric.Value) || ContractMetrics.Alerting.Contains(metric.Value), $"{metric.Value} is neither a contract metric nor an alerting gauge");
        }
    }

    [GeneratedRegex(@"- alert: (\w+)")]
    private static partial Regex AlertName();
}
