namespace ConfigPortal.EndToEnd.Tests;

internal static class RepoPaths
{
    /// <summary>The folder holding ConfigPortal.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string Screenshots
    {
        get
        {
            var dir = Path.Combine(Root, "docs", "screenshots");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ConfigPortal.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No ConfigPortal.sln above {AppContext.BaseDirectory}.");
    }
}
