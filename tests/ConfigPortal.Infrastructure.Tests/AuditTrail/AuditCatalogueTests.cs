using System.Text.RegularExpressions;
using ConfigPortal.Domain.Audit;
using Xunit;

namespace ConfigPortal.Infrastructure.Tests.AuditTrail;

/// <summary>docs/audit-events.md is the catalogue auditors read: it must name every action the code can record, and no other.</summary>
public sealed partial class AuditCatalogueTests
{
    [GeneratedRegex(@"^\|\s*(`[a-z0-9_]+`(?:\s*/\s*`[a-z0-9_]+`)*)\s*\|", RegexOptions.Multiline)]
    private static partial Regex ActionRow();

    [GeneratedRegex("`([a-z0-9_]+)`")]
    private static partial Regex Code();

    private static IReadOnlySet<string> Documented()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ConfigPortal.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var text = File.ReadAllText(Path.Combine(dir.FullName, "docs", "audit-events.md"));
        return ActionRow().Matches(text).SelectMany(m => Code().Matches(m.Groups[1].Value)).Select(m => m.Groups[1].Value).ToHashSet();
    }

    [Fact]
    public void Every_action_constant_is_documented()
    {
        var documented = Documented();
        var missing = AuditActions.All.Where(a => !documented.Contains(a)).ToList();
        Assert.True(missing.Count == 0, "Not in docs/audit-events.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_documented_action_is_a_constant()
    {
        var unknown = Documented().Where(a => !AuditActions.All.Contains(a)).ToList();
        Assert.True(unknown.Count == 0, "Documented but not a constant: " + string.Join(", ", unknown));
        Assert.Contains(AuditActions.AuditExported, Documented());
    }
}
