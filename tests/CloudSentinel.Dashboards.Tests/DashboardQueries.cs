using System.Text.Json.Nodes;

namespace CloudSentinel.Dashboards.Tests;

/// <summary>One SQL query Grafana would run: a panel target, a template variable or an alert rule.</summary>
public sealed record SqlQuery(string Name, string Sql, string Format, DateTimeOffset From, DateTimeOffset To);

public static class DashboardQueries
{
    /// <summary>Every SQL query of the dashboards and of the Grafana alert rule, named "dashboard uid/panel title".</summary>
    public static IReadOnlyList<SqlQuery> All(DateTimeOffset now)
    {
        var queries = new List<SqlQuery>();
        foreach (var dashboard in GrafanaDashboards.All)
        {
            foreach (var variable in dashboard.Variables.Where(v => (string?)v["datasource"]?["uid"] == GrafanaDashboards.CostsUid))
            {
                var (from, to) = DashboardRange(dashboard, now);
                queries.Add(new SqlQuery($"{dashboard.Uid}/${variable["name"]}", (string)variable["query"]!, "table", from, to));
            }

            foreach (var target in dashboard.Targets.Where(t => t.DatasourceUid == GrafanaDashboards.CostsUid))
            {
                var (from, to) = PanelRange(dashboard, target.Panel, now);
                queries.Add(new SqlQuery($"{dashboard.Uid}/{target.PanelTitle}", (string)target.Target["rawSql"]!,
                    (string)target.Target["format"]!, from, to));
            }
        }

        foreach (var rule in GrafanaAlertRules.SqlRules())
        {
            queries.Add(new SqlQuery($"alert/{rule.Uid}", rule.Sql, rule.Format, now.AddSeconds(-rule.FromSeconds), now));
        }

        return queries;
    }

    public static SqlQuery Named(string name) => All(CostSeed.Now).Single(q => q.Name == name);

    /// <summary>A panel's relative time ("timeFrom": "24h") replaces the dashboard's range.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) PanelRange(Dashboard dashboard, JsonObject panel, DateTimeOffset now) =>
        panel["timeFrom"] is JsonValue value && (string?)value is { Length: > 0 } timeFrom
            ? (now - GrafanaMacroExpander.ParseInterval(timeFrom), now)
            : DashboardRange(dashboard, now);

    public static (DateTimeOffset From, DateTimeOffset To) DashboardRange(Dashboard dashboard, DateTimeOffset now)
    {
        var from = (string?)dashboard.Json["time"]?["from"] ?? "now-6h";
        return from switch
        {
            "now/M" => (new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero), now),
            "now/d" => (new DateTimeOffset(now.Year, now.Month, now.Day, 0, 0, 0, TimeSpan.Zero), now),
            _ when from.StartsWith("now-", StringComparison.Ordinal) => (now - GrafanaMacroExpander.ParseInterval(from[4..]), now),
            _ => throw new InvalidOperationException($"{dashboard.Uid}: time.from '{from}' is not understood by these tests"),
        };
    }
}

public sealed record GrafanaAlertRule(string Uid, string Sql, string Format, int FromSeconds);

public static class GrafanaAlertRules
{
    public static IEnumerable<GrafanaAlertRule> SqlRules()
    {
        foreach (var file in Directory.GetFiles(RepoPaths.Combine("grafana", "provisioning", "alerting"), "*.yml"))
        {
            var root = Yaml.Load(file);
            if (Yaml.Child(root, "groups") is not YamlDotNet.RepresentationModel.YamlSequenceNode groups)
            {
                continue;
            }

            foreach (var group in groups.Children.Cast<YamlDotNet.RepresentationModel.YamlMappingNode>())
            {
                foreach (var rule in ((YamlDotNet.RepresentationModel.YamlSequenceNode)group["rules"]).Children.Cast<YamlDotNet.RepresentationModel.YamlMappingNode>())
                {
                    foreach (var data in ((YamlDotNet.RepresentationModel.YamlSequenceNode)rule["data"]).Children.Cast<YamlDotNet.RepresentationModel.YamlMappingNode>())
                    {
                        if (Yaml.Scalar(data, "datasourceUid") != GrafanaDashboards.CostsUid)
                        {
                            continue;
                        }

                        var model = (YamlDotNet.RepresentationModel.YamlMappingNode)data["model"];
                        var range = (YamlDotNet.RepresentationModel.YamlMappingNode)data["relativeTimeRange"];
                        yield return new GrafanaAlertRule(Yaml.Scalar(rule, "uid"), Yaml.Scalar(model, "rawSql"),
                            Yaml.Scalar(model, "format"), int.Parse(Yaml.Scalar(range, "from")));
                    }
                }
            }
        }
    }
}
