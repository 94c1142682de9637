using System.Text.RegularExpressions;
using ConfigPortal.Infrastructure.Persistence;

namespace ConfigPortal.Infrastructure.Tests.Tenancy;

/// <summary>Rules about the source tree that keep tenant isolation reviewable.</summary>
public sealed partial class SourceRulesTests
{
    private const string AllowedFile = "src/ConfigPortal.Infrastructure/Persistence/PlatformQueries.cs";

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ConfigPortal.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("ConfigPortal.sln not found above " + AppContext.BaseDirectory);
    }

    private static IEnumerable<string> SourceFiles(string root) =>
        Directory.EnumerateFiles(Path.Combine(root, "src"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"));

    [Fact]
    public void IgnoreQueryFiltersAppearsOnlyInPlatformQueries()
    {
        var root = RepositoryRoot();

        var users = SourceFiles(root)
            .Where(f => File.ReadAllText(f).Contains("IgnoreQueryFilters", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .ToList();

        Assert.True(SourceFiles(root).Count() > 50, "the source walk found too few files to be meaningful");
        Assert.Equal([AllowedFile], users);
    }

    [GeneratedRegex(@"^\s*public\s+(?:async\s+)?[\w<>\[\](), ?]+\s+(?<name>\w+)\s*\(")]
    private static partial Regex MethodDeclaration();

    [Fact]
    public void EveryIgnoreQueryFiltersCallInPlatformQueriesIsInAnAllowListedMethod()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), AllowedFile));
        string? method = null;
        var seen = new HashSet<string>();

        foreach (var line in lines)
        {
            if (MethodDeclaration().Match(line) is { Success: true } m)
                method = m.Groups["name"].Value;
            if (line.Contains(".IgnoreQueryFilters()", StringComparison.Ordinal))
            {
                Assert.NotNull(method);
                Assert.Contains(method, PlatformQueries.AllowList);
                seen.Add(method);
            }
        }

        Assert.Equal(PlatformQueries.AllowList.Order(), seen.Order());
    }
}
