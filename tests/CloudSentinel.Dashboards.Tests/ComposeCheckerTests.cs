using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace CloudSentinel.Dashboards.Tests;

/// <summary>docker-compose.yml parsed and checked against the files it refers to.</summary>
public sealed partial class ComposeCheckerTests
{
    private static readonly string ComposeFile = RepoPaths.Combine("docker-compose.yml");

    private static YamlMappingNode Services => (YamlMappingNode)Yaml.Load(ComposeFile)["services"];

    public static TheoryData<string> ServiceNames() =>
        new(Services.Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!));

    private static YamlMappingNode Service(string name) => (YamlMappingNode)Services[name];

    [Fact]
    public void Compose_runs_the_whole_stack()
    {
        var names = Services.Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value).ToHashSet();

        Assert.Superset(new HashSet<string?> { "postgres", "silo", "gateway", "prometheus", "grafana" }, names);
    }

    [Theory]
    [MemberData(nameof(ServiceNames))]
    public void Service_has_a_pinned_image_or_an_existing_build_context_and_dockerfile(string name)
    {
        var service = Service(name);
        if (Yaml.Child(service, "build") is YamlMappingNode build)
        {
            var context = Path.GetFullPath(Path.Combine(RepoPaths.Root, Yaml.Scalar(build, "context")));
            var dockerfile = Path.Combine(context, Yaml.Scalar(build, "dockerfile") is { Length: > 0 } f ? f : "Dockerfile");
            Assert.True(Directory.Exists(context), $"{name}: build context {context} does not exist");
            Assert.True(File.Exists(dockerfile), $"{name}: {dockerfile} does not exist");
            foreach (Match from in FromLine().Matches(File.ReadAllText(dockerfile)))
            {
                AssertPinned(name, from.Groups[1].Value);
            }
        }
        else
        {
            AssertPinned(name, Yaml.Scalar(service, "image"));
        }
    }

    [Theory]
    [MemberData(nameof(ServiceNames))]
    public void A_built_service_names_a_host_project_the_one_dockerfile_publishes(string name)
    {
        if (Yaml.Child(Service(name), "build") is not YamlMappingNode build)
        {
            return;
        }

        var args = Assert.IsType<YamlMappingNode>(Yaml.Child(build, "args"));
        var project = Yaml.Scalar(args, "PROJECT");
        Assert.True(File.Exists(RepoPaths.Combine("src", project, $"CloudSentinel.{project}.csproj")),
            $"{name}: build argument PROJECT '{project}' is not a project under src/");
        Assert.NotEmpty(Yaml.Scalar(args, "PORTS"));
    }

    [Theory]
    [MemberData(nameof(ServiceNames))]
    public void Mounted_host_paths_exist(string name)
    {
        if (Yaml.Child(Service(name), "volumes") is not YamlSequenceNode volumes)
        {
            return;
        }

        foreach (var volume in volumes.Children.Cast<YamlScalarNode>().Select(v => v.Value!))
        {
            var source = volume.Split(':')[0];
            if (source.StartsWith('.') || source.StartsWith('/'))
            {
                var path = Path.GetFullPath(Path.Combine(RepoPaths.Root, source));
                Assert.True(Directory.Exists(path) || File.Exists(path), $"{name}: mounted path {source} does not exist");
            }
            else
            {
                Assert.NotNull(Yaml.Child((YamlMappingNode)Yaml.Load(ComposeFile)["volumes"], source));
            }
        }
    }

    [Theory]
    [MemberData(nameof(ServiceNames))]
    public void Published_ports_bind_to_loopback_only(string name)
    {
        if (Yaml.Child(Service(name), "ports") is not YamlSequenceNode ports)
        {
            return;
        }

        Assert.All(ports.Children.Cast<YamlScalarNode>(), port => Assert.StartsWith("127.0.0.1:", port.Value));
    }

    [Fact]
    public void Every_variable_that_compose_and_grafana_provisioning_read_is_documented_in_env_example()
    {
        var documented = EnvAssignment().Matches(File.ReadAllText(RepoPaths.Combine(".env.example")))
            .Select(m => m.Groups[1].Value).ToHashSet();
        var used = Variables(File.ReadAllText(ComposeFile)).ToHashSet();
        var grafanaProvisioning = Directory.GetFiles(RepoPaths.Combine("grafana", "provisioning"), "*.yml", SearchOption.AllDirectories)
            .SelectMany(file => Variables(File.ReadAllText(file)));

        Assert.NotEmpty(used);
        Assert.Empty(used.Except(documented));
        // Grafana reads these from its container environment, which compose must set.
        foreach (var variable in grafanaProvisioning)
        {
            Assert.Contains(variable, documented);
            Assert.Contains($"      {variable}: ", File.ReadAllText(ComposeFile));
        }
    }

    [Fact]
    public void Env_example_commits_no_secret()
    {
        foreach (Match assignment in EnvAssignment().Matches(File.ReadAllText(RepoPaths.Combine(".env.example"))))
        {
            if (assignment.Groups[1].Value.Contains("PASSWORD", StringComparison.Ordinal))
            {
                Assert.Equal("", assignment.Groups[2].Value.Trim());
            }
        }
    }

    [Fact]
    public void Nothing_uses_the_latest_tag()
    {
        Assert.DoesNotMatch(@":latest\b", File.ReadAllText(ComposeFile));
    }

    private static void AssertPinned(string service, string image)
    {
        Assert.False(string.IsNullOrEmpty(image), $"{service}: neither image nor build");
        var tag = image.Contains('@', StringComparison.Ordinal) ? "digest" : image[(image.LastIndexOf('/') + 1)..].Split(':').ElementAtOrDefault(1);
        Assert.False(string.IsNullOrEmpty(tag), $"{service}: image {image} has no tag");
        Assert.NotEqual("latest", tag);
    }

    /// <summary>${VAR}, ${VAR:-default}, ${VAR:?message}; $${...} is compose's escaped dollar.</summary>
    private static IEnumerable<string> Variables(string text) =>
        VariableReference().Matches(text).Select(m => m.Groups[1].Value);

    [GeneratedRegex(@"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:?\-][^}]*)?\}")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", RegexOptions.Multiline)]
    private static partial Regex EnvAssignment();

    [GeneratedRegex(@"^FROM\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex FromLine();
}
