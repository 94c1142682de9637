using ConfigPortal.Domain.Audit;

namespace ConfigPortal.Infrastructure.Tests.Audit;

/// <summary>Auditors filter by action strings: each one the code can write is documented.</summary>
public sealed class AuditDocsTests
{
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ConfigPortal.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("ConfigPortal.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Every_audit_action_is_documented_in_audit_events_md()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "audit-events.md"));

        var missing = AuditActions.All.Where(a => !doc.Contains($"`{a}`", StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, "Not in docs/audit-events.md: " + string.Join(", ", missing));
    }
}
