using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Backups;

/// <summary>
/// The pipeline's group commit (ADR-015) on a real SQLite file: commits that queue behind a batch share one
/// transaction, a commit that fails rolls back alone (its rows and its audit entries), the others commit with their
/// audit entries, and the chain verifies.
/// </summary>
public sealed class GroupCommitTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private PortalHost Portal => fixture.Portal;
    private int Acme => Portal.AcmeId;

    private static AuditRecord Record(int tenantId, int deviceId, string marker) => new()
    {
        TenantId = tenantId,
        Action = AuditActions.ConfigSnapshotSkippedDuplicate,
        ResourceType = "device",
        ResourceId = deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        DeviceId = deviceId,
        ActorKind = Domain.Tenancy.ActorKind.System,
        ActorName = "system",
        Details = new { marker },
    };

    [Fact]
    public async Task Commits_that_queue_share_a_transaction_and_a_failing_one_rolls_back_alone()
    {
        var batcher = Portal.Services.GetRequiredService<BackupCommitBatcher>();
        var devices = new List<int>();
        for (var i = 0; i < 12; i++)
            devices.Add(await Portal.CreateDeviceAsync(Acme, $"gc-{Guid.NewGuid():N}"[..16], SimulatorBehavior.Static));
        var marker = Guid.NewGuid().ToString("N");
        var failing = devices[5];
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var leaderRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var transactions0 = batcher.Transactions;

        Task<int> Commit(int deviceId, bool leader)
        {
            return Task.Run(async () =>
            {
                await using var scope = Portal.SystemScope(Acme);
                var factory = scope.ServiceProvider.GetRequiredService<IPortalDbFactory>();
                var audit = scope.ServiceProvider.GetRequiredService<IAuditService>();
                return await batcher.CommitAsync(Acme, factory, audit, async (db, ct) =>
                {
                    if (leader)
                    {
                        leaderRunning.TrySetResult();
                        await release.Task; // holds the batch open while the others queue behind it
                    }
                    await db.Devices.Where(d => d.Id == deviceId)
                        .ExecuteUpdateAsync(s => s.SetProperty(d => d.LastRunMessage, marker), ct);
                    if (deviceId == failing)
                        throw new InvalidOperationException("this run's commit fails after its first statement");
                    return (deviceId, (IReadOnlyList<AuditRecord>)[Record(Acme, deviceId, marker)]);
                });
            });
        }

        var first = Commit(devices[0], leader: true);
        await leaderRunning.Task;
        var others = devices.Skip(1).Select(d => Commit(d, leader: false)).ToList();
        // Let every other commit reach the queue before the leader's batch ends.
        await Task.Delay(500);
        release.SetResult();

        Assert.Equal(devices[0], await first);
        foreach (var (task, deviceId) in others.Zip(devices.Skip(1)))
        {
            if (deviceId == failing)
                Assert.Equal("this run's commit fails after its first statement", (await Assert.ThrowsAsync<InvalidOperationException>(() => task)).Message);
            else
                Assert.Equal(deviceId, await task);
        }

        // Two transactions: the leader's alone, then the eleven that queued behind it (one of them rolled back alone).
        Assert.Equal(2, batcher.Transactions - transactions0);
        var messages = await Portal.QueryAsync(Acme, db => db.Devices.Where(d => devices.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.LastRunMessage));
        Assert.All(devices.Where(d => d != failing), d => Assert.Equal(marker, messages[d]));
        Assert.NotEqual(marker, messages[failing]);
        var audited = await Portal.QueryAsync(Acme, db => db.AuditEntries.Where(e => e.DetailsJson.Contains(marker)).Select(e => e.DeviceId).ToListAsync());
        Assert.Equal(devices.Where(d => d != failing).Order(), audited.Select(d => d!.Value).Order());

        await using var verifyScope = Portal.SystemScope(Acme);
        var verification = await verifyScope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyTenantAsync(Acme);
        Assert.True(verification.Intact, verification.Problem);
    }

    [Fact]
    public async Task Concurrent_backups_of_many_devices_all_commit_once_with_their_audit_entries()
    {
        var devices = new List<int>();
        for (var i = 0; i < 24; i++)
            devices.Add(await Portal.CreateDeviceAsync(Acme, $"gcb-{Guid.NewGuid():N}"[..16], SimulatorBehavior.Static));
        var before = await Portal.LastSequenceAsync(Acme);

        // Two rounds: first snapshots (created), then unchanged configs (skipped duplicates), each round all at once.
        for (var round = 0; round < 2; round++)
        {
            var results = await Task.WhenAll(devices.Select(d => Task.Run(() => Portal.BackupAsync(Acme, d))));
            Assert.All(results, r => Assert.Equal(BackupRunStatus.Succeeded, r.Status));
            Assert.All(results, r => Assert.Equal(round == 0 ? RunOutcome.Created : RunOutcome.Unchanged, r.Outcome));
        }

        var counts = await Portal.QueryAsync(Acme, db => db.Devices.Where(d => devices.Contains(d.Id))
            .Select(d => new { d.RunCount, d.SnapshotCount }).ToListAsync());
        Assert.All(counts, c => Assert.Equal((2, 1), (c.RunCount, c.SnapshotCount)));
        var actions = await Portal.QueryAsync(Acme, db => db.AuditEntries
            .Where(e => e.Sequence > before && e.DeviceId != null && devices.Contains(e.DeviceId.Value))
            .GroupBy(e => e.Action).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count));
        Assert.Equal(24, actions[AuditActions.ConfigSnapshotCreated]);
        Assert.Equal(24, actions[AuditActions.ConfigSnapshotSkippedDuplicate]);
        await using var verifyScope = Portal.SystemScope(Acme);
        var verification = await verifyScope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyTenantAsync(Acme);
        Assert.True(verification.Intact, verification.Problem);
    }
}
