using ConfigPortal.Domain.Audit;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Audit;

public sealed class AuditChainTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private PortalHost Portal => fixture.Portal;

    private async Task<List<AuditEntry>> ChainAsync(int tenantId) =>
        await Portal.QueryAsync(tenantId, db => db.AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync());

    /// <summary>The first sequence number whose link or hash does not verify, or null.</summary>
    private long? FirstBroken(IReadOnlyList<AuditEntry> chain)
    {
        var hasher = Portal.Services.GetRequiredService<AuditHasher>();
        for (var i = 0; i < chain.Count; i++)
        {
            var e = chain[i];
            if (e.Sequence != i + 1) return i + 1;
            if (e.PreviousHash != (i == 0 ? AuditHasher.GenesisHash : chain[i - 1].Hash)) return e.Sequence;
            if (hasher.ComputeHash(e) != e.Hash) return e.Sequence;
        }
        return null;
    }

    [Fact]
    public async Task EightConcurrentWritersLeaveAGaplessVerifiableChain()
    {
        var acme = Portal.AcmeId;
        const int writers = 8, perWriter = 50;

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, writers).Select(async w =>
        {
            await gate.Task;
            for (var n = 0; n < perWriter; n++)
            {
                await using var scope = Portal.ScopeAs(acme, "operator@acme.example");
                await scope.ServiceProvider.GetRequiredService<IAuditService>().RecordAsync(new AuditRecord
                {
                    TenantId = acme,
                    Action = "test_concurrent_write",
                    ResourceType = "writer",
                    ResourceId = $"{w}:{n}",
                    Details = new { writer = w, n },
                });
            }
        }).ToList();
        gate.SetResult();
        await Task.WhenAll(tasks);

        var chain = await ChainAsync(acme);
        Assert.Null(FirstBroken(chain));
        var written = chain.Where(e => e.Action == "test_concurrent_write").ToList();
        Assert.Equal(writers * perWriter, written.Count);
        Assert.Equal(writers * perWriter, written.Select(e => e.ResourceId).Distinct().Count());
        Assert.Equal(0, Portal.Services.GetRequiredService<AuditHealth>().FailedWrites);
        var head = await Portal.QueryAsync(acme, db => db.AuditChainHeads.AsNoTracking().SingleAsync(h => h.TenantId == acme));
        Assert.Equal((chain[^1].Sequence, chain[^1].Hash), (head.LastSequence, head.LastHash));
    }

    [Fact]
    public async Task EachTenantHasItsOwnChainStartingAtOne()
    {
        await Portal.BackupAsync(Portal.GlobexId, await Portal.QueryAsync(Portal.GlobexId, db => db.Devices.Where(d => d.Name == "globex-core1").Select(d => d.Id).SingleAsync()), "operator@globex.example");

        var globex = await ChainAsync(Portal.GlobexId);

        Assert.NotEmpty(globex);
        Assert.All(globex, e => Assert.Equal(Portal.GlobexId, e.TenantId));
        Assert.Null(FirstBroken(globex));
    }

    [Fact]
    public async Task ATamperedEntryIsFoundByRecomputingTheChain()
    {
        var acme = Portal.AcmeId;
        for (var i = 0; i < 3; i++)
        {
            await using var scope = Portal.ScopeAs(acme, "admin@acme.example");
            await scope.ServiceProvider.GetRequiredService<IAuditService>().RecordAsync(new AuditRecord { TenantId = acme, Action = "test_tamper", ResourceId = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        var victim = (await ChainAsync(acme)).Last(e => e.Action == "test_tamper");

        await using (var scope = Portal.SystemScope(acme))
        {
            await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Database
                .ExecuteSqlAsync($"UPDATE AuditEntries SET ActorName = 'Mallory' WHERE Id = {victim.Id}");
        }

        Assert.Equal(victim.Sequence, FirstBroken(await ChainAsync(acme)));

        // Put it back so that the other tests of this class see an intact chain.
        await using (var scope = Portal.SystemScope(acme))
        {
            await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Database
                .ExecuteSqlAsync($"UPDATE AuditEntries SET ActorName = {victim.ActorName} WHERE Id = {victim.Id}");
        }
        Assert.Null(FirstBroken(await ChainAsync(acme)));
    }

    [Fact]
    public async Task AuditEntriesCannotBeChangedThroughTheContext()
    {
        await using var scope = Portal.SystemScope(Portal.AcmeId);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var entry = await db.AuditEntries.OrderBy(e => e.Sequence).FirstAsync();
        entry.ActorName = "Mallory";

        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
    }
}
