using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConfigPortal.Infrastructure.Tests.Audit;

/// <summary>
/// The audit table refuses every insert (a SQLite trigger), on a database of its own: the backup must still succeed,
/// and the failure must be logged and counted, never silent and never with a secret in the log.
/// </summary>
public sealed class AuditFailureTests
{
    private const string DevicePassword = "Dev1ce-Passw0rd-Never-Logged";

    [Fact]
    public async Task AnAuditWriteThatThrowsDoesNotFailTheBackupAndIsLoggedWithoutSecrets()
    {
        await using var portal = await PortalHost.StartAsync();
        var acme = portal.AcmeId;
        int credentialId;
        await using (var scope = portal.ScopeAs(acme, "admin@acme.example"))
        {
            credentialId = await scope.ServiceProvider.GetRequiredService<CredentialProfileService>().CreateAsync(new CredentialProfileInput
            {
                Name = "lab",
                Username = "netops",
                Password = DevicePassword,
                EnableSecret = DevicePassword + "-enable",
            });
        }
        var deviceId = await portal.CreateDeviceAsync(acme, "audit-down-sw", SimulatorBehavior.Drifting, credentialProfileId: credentialId);
        var health = portal.Services.GetRequiredService<AuditHealth>();
        var entriesBefore = await portal.LastSequenceAsync(acme);
        await InstallAuditDownTriggerAsync(portal);
        var failuresBefore = health.FailedWrites;
        portal.Logs.Clear();

        var run = await portal.BackupAsync(acme, deviceId);

        Assert.Equal((BackupRunStatus.Succeeded, Domain.Devices.RunOutcome.Created), (run.Status, run.Outcome));
        var snapshot = await portal.QueryAsync(acme, db => db.Snapshots.AsNoTracking().SingleOrDefaultAsync(s => s.DeviceId == deviceId));
        Assert.NotNull(snapshot);
        Assert.Equal(run.SnapshotId, snapshot.Id);
        Assert.NotNull(await portal.QueryAsync(acme, db => db.SnapshotContents.AsNoTracking().SingleOrDefaultAsync(c => c.SnapshotId == snapshot.Id)));
        Assert.Equal(entriesBefore, await portal.LastSequenceAsync(acme));
        // The trigger entry and the snapshot entry both failed.
        Assert.True(health.FailedWrites >= failuresBefore + 2, $"failed writes {health.FailedWrites}, before {failuresBefore}");
        Assert.Equal(AuditActions.ConfigSnapshotCreated, health.LastFailureAction);

        var logs = portal.Logs.GetSnapshot();
        var errors = logs.Where(l => l.Level == LogLevel.Error && l.Category == typeof(AuditService).FullName).ToList();
        Assert.Contains(errors, l => l.Message.Contains(AuditActions.ConfigBackupManualTrigger, StringComparison.Ordinal));
        Assert.Contains(errors, l => l.Message.Contains(AuditActions.ConfigSnapshotCreated, StringComparison.Ordinal)
            && l.Message.Contains(run.CorrelationId, StringComparison.Ordinal));

        var text = await portal.QueryAsync(acme, async db =>
        {
            return await SnapshotContentStore.LoadTextAsync(db, snapshot.Id);
        });
        var everything = string.Join("\n", logs.Select(l => string.Join(" | ",
            l.Message, l.Exception?.ToString(), string.Join(",", l.StructuredState?.Select(kv => kv.Value) ?? []), string.Join(",", l.Scopes))));
        foreach (var secret in new[] { DevicePassword, "S1mCommunity", "$9$", "0822455D0A16", "045802150C2E" })
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("hostname audit-down-sw", everything, StringComparison.Ordinal);
        Assert.Contains("hostname audit-down-sw", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheChainContinuesWithoutAGapOnceTheAuditTableAcceptsWritesAgain()
    {
        await using var portal = await PortalHost.StartAsync(runBaselineBackups: false);
        var acme = portal.AcmeId;
        var deviceId = await portal.CreateDeviceAsync(acme, "recovering-sw", SimulatorBehavior.Static);
        await InstallAuditDownTriggerAsync(portal);
        await portal.BackupAsync(acme, deviceId);
        await using (var scope = portal.SystemScope(acme))
            await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Database.ExecuteSqlRawAsync("DROP TRIGGER audit_down;");

        await portal.BackupAsync(acme, deviceId);

        var chain = await portal.QueryAsync(acme, db => db.AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync());
        var hasher = portal.Services.GetRequiredService<AuditHasher>();
        Assert.Equal(Enumerable.Range(1, chain.Count).Select(i => (long)i), chain.Select(e => e.Sequence));
        for (var i = 0; i < chain.Count; i++)
        {
            Assert.Equal(i == 0 ? AuditHasher.GenesisHash : chain[i - 1].Hash, chain[i].PreviousHash);
            Assert.Equal(hasher.ComputeHash(chain[i]), chain[i].Hash);
        }
        Assert.Contains(chain, e => e.Action == AuditActions.ConfigSnapshotSkippedDuplicate && e.DeviceId == deviceId);
    }

    private static async Task InstallAuditDownTriggerAsync(PortalHost portal)
    {
        await using var scope = portal.SystemScope(portal.AcmeId);
        await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Database.ExecuteSqlRawAsync(
            "CREATE TRIGGER audit_down BEFORE INSERT ON AuditEntries BEGIN SELECT RAISE(ABORT, 'audit down'); END;");
    }
}
