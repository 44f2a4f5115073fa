namespace CloudSentinel.Testing;

/// <summary>Files of the repository under test, found from the test binary's location.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CloudSentinel.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"CloudSentinel.sln not found above {AppContext.BaseDirectory}");
    }
}
