using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace CloudSentinel.Testing;

public sealed record Dashboard(string File, JsonObject Json)
{
    public string Uid => (string?)Json["uid"] ?? "";

    public string Title => (string?)Json["title"] ?? "";

    /// <summary>Panels at any depth (rows may nest panels).</summary>
    public IEnumerable<JsonObject> Panels => Flatten(Json["panels"] as JsonArray);

    public IEnumerable<JsonObject> Variables =>
        (Json["templating"]?["list"] as JsonArray ?? []).OfType<JsonObject>();

    public IEnumerable<PanelTarget> Targets =>
        from panel in Panels
        from target in (panel["targets"] as JsonArray ?? []).OfType<JsonObject>()
        select new PanelTarget(this, panel, target);

    private static IEnumerable<JsonObject> Flatten(JsonArray? panels)
    {
        foreach (var panel in (panels ?? []).OfType<JsonObject>())
        {
            yield return panel;
            foreach (var nested in Flatten(panel["panels"] as JsonArray))
            {
                yield return nested;
            }
        }
    }
}

public sealed record PanelTarget(Dashboard Dashboard, JsonObject Panel, JsonObject Target)
{
    public string PanelTitle => (string?)Panel["title"] ?? "";

    public string RefId => (string?)Target["refId"] ?? "";

    /// <summary>The target's own datasource, else the panel's, as Grafana resolves it.</summary>
    public string DatasourceUid => (string?)(Target["datasource"] ?? Panel["datasource"])?["uid"] ?? "";

    public string Name => $"{Dashboard.Uid} / {PanelTitle} / {RefId}";

    public override string ToString() => Name;
}

public sealed record ProvisionedDatasource(string Name, string Uid, string Type, YamlMappingNode Yaml);

public static class GrafanaDashboards
{
    public const string CostsUid = "cloudsentinel-costs";
    public const string PrometheusUid = "cloudsentinel-prometheus";

    public static IReadOnlyList<string> Files { get; } =
        Directory.GetFiles(RepoPaths.Combine("grafana", "dashboards"), "*.json").Order(StringComparer.Ordinal).ToArray();

    public static IReadOnlyList<Dashboard> All { get; } =
        Files.Select(file => new Dashboard(Path.GetFileName(file), (JsonObject)JsonNode.Parse(File.ReadAllText(file))!)).ToArray();

    public static IEnumerable<PanelTarget> SqlTargets =>
        All.SelectMany(d => d.Targets).Where(t => t.DatasourceUid == CostsUid);

    public static IEnumerable<PanelTarget> PromQlTargets =>
        All.SelectMany(d => d.Targets).Where(t => t.DatasourceUid == PrometheusUid);

    public static IReadOnlyList<ProvisionedDatasource> Datasources { get; } = LoadDatasources();

    private static ProvisionedDatasource[] LoadDatasources()
    {
        var result = new List<ProvisionedDatasource>();
        foreach (var file in Directory.GetFiles(RepoPaths.Combine("grafana", "provisioning", "datasources"), "*.yml"))
        {
            var root = Yaml.Load(file);
            foreach (var item in ((YamlSequenceNode)root["datasources"]).Children.Cast<YamlMappingNode>())
            {
                result.Add(new ProvisionedDatasource(Yaml.Scalar(item, "name"), Yaml.Scalar(item, "uid"), Yaml.Scalar(item, "type"), item));
            }
        }

        return result.ToArray();
    }
}

public static class Yaml
{
    public static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(file);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    public static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar
            ? scalar.Value ?? ""
            : "";

    public static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
}
