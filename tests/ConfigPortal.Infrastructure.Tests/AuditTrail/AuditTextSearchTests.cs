using ConfigPortal.Domain.Audit;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.AuditTrail;

/// <summary>The "text in details" filter runs on the SQLite FTS5 index and still honours the tenant filter.</summary>
public sealed class AuditTextSearchTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private PortalHost Portal => fixture.Portal;

    private async Task RecordAsync(int tenantId, object details)
    {
        await using var scope = Portal.SystemScope(tenantId);
        await scope.ServiceProvider.GetRequiredService<IAuditService>().RecordAsync(new AuditRecord
        {
            TenantId = tenantId,
            Action = AuditActions.DeviceUpdated,
            ResourceType = "device",
            ResourceId = "fts-test",
            Details = details,
        });
    }

    private async Task<AuditPage> SearchAsync(int tenantId, string email, string text)
    {
        await using var scope = Portal.ScopeAs(tenantId, email);
        return await scope.ServiceProvider.GetRequiredService<AuditQueryService>().QueryAsync(new AuditFilter { Text = text }, 0, 100);
    }

    [Fact]
    public async Task TheIndexFindsAWordInTheDetailsOfTheCallersTenantOnly()
    {
        await RecordAsync(Portal.AcmeId, new { note = "zebracrossing at rack 12" });
        await RecordAsync(Portal.GlobexId, new { note = "zebracrossing at rack 99" });

        var acme = await SearchAsync(Portal.AcmeId, "auditor@acme.example", "zebracrossing");

        var hit = Assert.Single(acme.Items);
        Assert.Contains("rack 12", hit.DetailsJson, StringComparison.Ordinal);
        Assert.Equal(1, acme.TotalCount);
    }

    [Fact]
    public async Task APhraseWithPunctuationAndQuotesIsSearchedNotParsed()
    {
        await RecordAsync(Portal.AcmeId, new { name = "edge-rtr-77 \"primary\"" });

        Assert.Single((await SearchAsync(Portal.AcmeId, "auditor@acme.example", "edge-rtr-77")).Items);
        Assert.Single((await SearchAsync(Portal.AcmeId, "auditor@acme.example", "rtr-77 \"primary")).Items);
        Assert.Empty((await SearchAsync(Portal.AcmeId, "auditor@acme.example", "edge-rtr-78")).Items);
        // FTS5 operators in the user's text are plain words inside the phrase.
        Assert.Empty((await SearchAsync(Portal.AcmeId, "auditor@acme.example", "edge OR NOT NEAR(")).Items);
    }

    [Fact]
    public async Task TextWithoutWordsFallsBackToASubstringMatch()
    {
        await RecordAsync(Portal.AcmeId, new { ratio = "%%% 50/50 ###" });

        var page = await SearchAsync(Portal.AcmeId, "auditor@acme.example", "%%%");

        Assert.Contains(page.Items, e => e.DetailsJson.Contains("%%%", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheIndexExistsAndStaysInStepWithTheTable()
    {
        var counts = await Portal.QueryAsync(Portal.AcmeId, async db =>
        {
            var rows = await db.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM \"AuditEntries\"").SingleAsync();
            var integrity = await db.Database.ExecuteSqlRawAsync("INSERT INTO \"AuditEntriesFts\"(\"AuditEntriesFts\") VALUES ('integrity-check');");
            return (rows, integrity);
        });
        Assert.True(counts.rows > 0);
    }
}
