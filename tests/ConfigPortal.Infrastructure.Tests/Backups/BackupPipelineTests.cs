using ConfigPortal.Tests.Shared;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Backups;

public sealed class BackupPipelineTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private PortalHost Portal => fixture.Portal;
    private int Acme => Portal.AcmeId;

    private Task<List<Snapshot>> SnapshotsAsync(int deviceId) =>
        Portal.QueryAsync(Acme, db => db.Snapshots.AsNoTracking().Where(s => s.DeviceId == deviceId).OrderBy(s => s.Id).ToListAsync());

    private Task<Device> DeviceAsync(int deviceId) =>
        Portal.QueryAsync(Acme, db => db.Devices.AsNoTracking().SingleAsync(d => d.Id == deviceId));

    private Task<string> TextAsync(long snapshotId) =>
        Portal.QueryAsync(Acme, async db =>
        {
            return await SnapshotContentStore.LoadTextAsync(db, snapshotId);
        });

    [Fact]
    public async Task TheFirstBackupCreatesASnapshotWithoutADiff()
    {
        var deviceId = await Portal.CreateDeviceAsync(Acme, "first-backup-sw", SimulatorBehavior.Static);

        var run = await Portal.BackupAsync(Acme, deviceId);

        Assert.Equal((BackupRunStatus.Succeeded, RunOutcome.Created), (run.Status, run.Outcome));
        var snapshot = Assert.Single(await SnapshotsAsync(deviceId));
        Assert.Equal(run.SnapshotId, snapshot.Id);
        Assert.Null(snapshot.PreviousSnapshotId);
        Assert.Equal((0, 0, 1), (snapshot.AddedLines, snapshot.RemovedLines, snapshot.SeenCount));
        Assert.Empty(await Portal.QueryAsync(Acme, db => db.SnapshotDiffs.Where(d => d.DeviceId == deviceId).ToListAsync()));
        var created = Assert.Single(await Portal.EntriesAsync(Acme, AuditActions.ConfigSnapshotCreated, deviceId));
        Assert.Equal(snapshot.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), created.ResourceId);
        Assert.Equal(run.CorrelationId, created.CorrelationId);
        Assert.Empty(await Portal.EntriesAsync(Acme, AuditActions.ConfigDiffGenerated, deviceId));
        var device = await DeviceAsync(deviceId);
        Assert.Equal((snapshot.Id, 1, RunOutcome.Created), (device.LatestSnapshotId, device.SnapshotCount, device.LastRunOutcome));
    }

    [Fact]
    public async Task ARunQueuedTwiceIsExecutedOnce()
    {
        var deviceId = await Portal.CreateDeviceAsync(Acme, "queued-twice-sw", SimulatorBehavior.Drifting);
        long runId;
        await using (var scope = Portal.ScopeAs(Acme, "operator@acme.example"))
            runId = (await scope.ServiceProvider.GetRequiredService<BackupService>().TriggerAsync(deviceId, BackupTrigger.Manual)).Run.Id;

        // Recovery at start and a second instance can both hand the same run id to a worker.
        await Task.WhenAll(Portal.ExecuteRunAsync(Acme, runId), Portal.ExecuteRunAsync(Acme, runId), Portal.ExecuteRunAsync(Acme, runId));

        Assert.Single(await SnapshotsAsync(deviceId));
        Assert.Single(await Portal.EntriesAsync(Acme, AuditActions.ConfigSnapshotCreated, deviceId));
        var device = await DeviceAsync(deviceId);
        Assert.Equal((1, 1), (device.RunCount, device.SnapshotCount));
    }

    [Fact]
    public async Task TheStoredSnapshotIsTheNormalizedMaskedConfig()
    {
        var deviceId = await Portal.CreateDeviceAsync(Acme, "masked-sw", SimulatorBehavior.Static);

        var run = await Portal.BackupAsync(Acme, deviceId);
        var text = await TextAsync(run.SnapshotId!.Value);

        Assert.Contains("enable secret 9 <removed>", text, StringComparison.Ordinal);
        Assert.Contains("snmp-server community <removed> RO", text, StringComparison.Ordinal);
        Assert.DoesNotContain("S1mCommunity", text, StringComparison.Ordinal);
        Assert.DoesNotContain("$9$", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Building configuration", text, StringComparison.Ordinal);
        Assert.EndsWith("end\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSameConfigAgainIsSkippedAsADuplicateAndMovesLastSeen()
    {
        var deviceId = await Portal.CreateDeviceAsync(Acme, "static-sw", SimulatorBehavior.Static);
        var first = await Portal.BackupAsync(Acme, deviceId);
        var before = Assert.Single(await SnapshotsAsync(deviceId));

        var second = await Portal.BackupAsync(Acme, deviceId);

        Assert.Equal((BackupRunStatus.Succeeded, RunOutcome.Unchanged), (second.Status, second.Outcome));
        var after = Assert.Single(await SnapshotsAsync(deviceId));
        Assert.Equal(before.Id, after.Id);
        Assert.Equal(first.SnapshotId, second.SnapshotId);
        Assert.Equal(2, after.SeenCount);
        Assert.True(after.LastSeenAtUtc > before.LastSeenAtUtc, $"last seen {after.LastSeenAtUtc:O} did not move past {before.LastSeenAtUtc:O}");
        Assert.Equal(before.FirstSeenAtUtc, after.FirstSeenAtUtc);
        var skipped = Assert.Single(await Portal.EntriesAsync(Acme, AuditActions.ConfigSnapshotSkippedDuplicate, deviceId));
        Assert.Equal(second.CorrelationId, skipped.CorrelationId);
        Assert.Equal(2, skipped.Details().GetProperty("seenCount").GetInt32());
        Assert.Single(await Portal.EntriesAsync(Acme, AuditActions.ConfigSnapshotCreated, deviceId));
        Assert.Equal((1, 2), ((await DeviceAsync(deviceId)).SnapshotCount, (await DeviceAsync(deviceId)).RunCount));
    }

    [Theory]
    [InlineData("cisco_ios")]
    [InlineData("cisco_nxos")]
    [InlineData("cisco_asa")]
    [InlineData("arista_eos")]
    [InlineData("aruba_aoscx")]
    [InlineData("juniper_junos")]
    [InlineData("mikrotik_routeros")]
    [InlineData("fortinet_fortios")]
    public async Task AStaticSimulatedDeviceOfEveryVendorIsUnchangedOnItsSecondBackup(string vendor)
    {
        var deviceId = await Portal.CreateDeviceAsync(Acme, "static-" + vendor, SimulatorBehavior.Static, vendor);

        await Portal.BackupAsync(Acme, deviceId);
        var second = await Portal.BackupAsync(Acme, deviceId);

        Assert.Equal(RunOutcome.Unchanged, second.Outcome);
    }

    [Fact]
    public async Task AChangedConfigCreatesASnapshotAndADiffWithMatchingCounts()
    {
        var deviceId = await Portal.CreateDeviceAsync(Acme, "drifting-sw", SimulatorBehavior.Drifting);
        var first = await Portal.BackupAsync(Acme, deviceId);

        var second = await Portal.BackupAsync(Acme, deviceId);

        Assert.Equal(RunOutcome.Created, second.Outcome);
        var snapshots = await SnapshotsAsync(deviceId);
        Assert.Equal(2, snapshots.Count);
        var newer = snapshots[1];
        Assert.Equal(first.SnapshotId, newer.PreviousSnapshotId);
        var diff = Assert.Single(await Portal.QueryAsync(Acme, db => db.SnapshotDiffs.AsNoTracking().Where(d => d.DeviceId == deviceId).ToListAsync()));
        Assert.Equal((first.SnapshotId!.Value, newer.Id), (diff.FromSnapshotId, diff.ToSnapshotId));
        Assert.True(diff.AddedLines > 0 && diff.RemovedLines > 0, $"+{diff.AddedLines} -{diff.RemovedLines}");
        Assert.Equal((diff.AddedLines, diff.RemovedLines), (newer.AddedLines, newer.RemovedLines));

        var created = await Portal.EntriesAsync(Acme, AuditActions.ConfigSnapshotCreated, deviceId);
        Assert.Equal(2, created.Count);
        var generated = Assert.Single(await Portal.EntriesAsync(Acme, AuditActions.ConfigDiffGenerated, deviceId));
        var details = generated.Details();
        Assert.Equal(diff.AddedLines, details.GetProperty("added").GetInt32());
        Assert.Equal(diff.RemovedLines, details.GetProperty("removed").GetInt32());
        Assert.Equal(newer.Id, details.GetProperty("toSnapshotId").GetInt64());
        Assert.Equal(second.CorrelationId, generated.CorrelationId);
        Assert.Equal(second.CorrelationId, created[1].CorrelationId);
        Assert.True(generated.Sequence > created[1].Sequence);
        Assert.Equal(2, (await DeviceAsync(deviceId)).SnapshotCount);
    }

    [Fact]
    public async Task TheStoredUnifiedDiffPatchesThePreviousSnapshotIntoTheNewOne()
    {
        var deviceId = await Portal.CreateDeviceAsync(Acme, "drifting-patch-sw", SimulatorBehavior.Drifting, "juniper_junos");
        var first = await Portal.BackupAsync(Acme, deviceId);
        var second = await Portal.BackupAsync(Acme, deviceId);
        var diff = await Portal.QueryAsync(Acme, db => db.SnapshotDiffs.AsNoTracking().SingleAsync(d => d.ToSnapshotId == second.SnapshotId));

        var patched = GnuPatch.Apply(await TextAsync(first.SnapshotId!.Value), diff.UnifiedDiff);

        Assert.True(patched.ExitCode == 0, patched.Output);
        Assert.Equal(await TextAsync(second.SnapshotId!.Value), patched.Patched);
    }

    [Fact]
    public async Task AManualTriggerIsAuditedWithTheUsersNameIdAndAddress()
    {
        var deviceId = await Portal.CreateDeviceAsync(Acme, "manual-sw", SimulatorBehavior.Static);
        var (operatorId, operatorName) = Portal.User("operator@acme.example");

        var run = await Portal.BackupAsync(Acme, deviceId, "operator@acme.example");

        var trigger = Assert.Single(await Portal.EntriesAsync(Acme, AuditActions.ConfigBackupManualTrigger, deviceId));
        Assert.Equal((ActorKind.User, operatorId, operatorName, PortalHost.ClientIp), (trigger.ActorKind, trigger.ActorId, trigger.ActorName, trigger.ClientIp));
        Assert.Equal("manual-sw", trigger.DeviceName);
        Assert.Equal(run.CorrelationId, trigger.CorrelationId);
        Assert.False(trigger.Details().GetProperty("joined").GetBoolean());
        Assert.Equal("Oscar Operator", run.RequestedBy);
        // The pipeline's own entries carry the requester too, not "system".
        var created = Assert.Single(await Portal.EntriesAsync(Acme, AuditActions.ConfigSnapshotCreated, deviceId));
        Assert.Equal((operatorId, operatorName, PortalHost.ClientIp), (created.ActorId, created.ActorName, created.ClientIp));
    }

    [Fact]
    public async Task AnUnreachableDeviceFailsAndStoresNothingButTheFailure()
    {
        var deviceId = await Portal.CreateDeviceAsync(Acme, "goes-dark-sw", SimulatorBehavior.Static);
        var good = await Portal.BackupAsync(Acme, deviceId);
        await using (var scope = Portal.SystemScope(Acme))
        {
            var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
            var input = await devices.GetForEditAsync(deviceId);
            input.SimulatorBehavior = SimulatorBehavior.Unreachable;
            await devices.UpdateAsync(deviceId, input);
        }

        var failed = await Portal.BackupAsync(Acme, deviceId);

        Assert.Equal((BackupRunStatus.Failed, RunOutcome.Failed, FailureKind.Unreachable), (failed.Status, failed.Outcome, failed.FailureKind));
        Assert.Null(failed.SnapshotId);
        Assert.Single(await SnapshotsAsync(deviceId));
        var device = await DeviceAsync(deviceId);
        Assert.Equal((good.SnapshotId, 1, RunOutcome.Failed), (device.LatestSnapshotId, device.SnapshotCount, device.LastRunOutcome));
        var entry = Assert.Single(await Portal.EntriesAsync(Acme, AuditActions.ConfigBackupFailed, deviceId));
        Assert.Equal("unreachable", entry.Details().GetProperty("reason").GetString());
        Assert.Equal(AuditOutcome.Failure, entry.Outcome);
        Assert.Equal(failed.CorrelationId, entry.CorrelationId);
        Assert.Single(await Portal.EntriesAsync(Acme, AuditActions.ConfigSnapshotCreated, deviceId));
        Assert.Empty(await Portal.EntriesAsync(Acme, AuditActions.ConfigSnapshotSkippedDuplicate, deviceId));
        // The device is free again: the next trigger starts a new run.
        await using var s = Portal.ScopeAs(Acme, "operator@acme.example");
        Assert.Null(await s.ServiceProvider.GetRequiredService<BackupService>().GetActiveRunAsync(deviceId));
    }

    [Fact]
    public async Task ASeededUnreachableDeviceHasAFailedBaselineAndNoSnapshot()
    {
        var deviceId = await Portal.QueryAsync(Acme, db => db.Devices.Where(d => d.Name == "acme-old-sw9").Select(d => d.Id).SingleAsync());

        var runs = await Portal.QueryAsync(Acme, db => db.BackupRuns.AsNoTracking().Where(r => r.DeviceId == deviceId).ToListAsync());

        var run = Assert.Single(runs);
        Assert.Equal((BackupRunStatus.Failed, FailureKind.Unreachable), (run.Status, run.FailureKind));
        Assert.Null((await DeviceAsync(deviceId)).LatestSnapshotId);
        Assert.Empty(await SnapshotsAsync(deviceId));
    }

    [Fact]
    public async Task TenConcurrentTriggersGiveOneRunThatTheOthersJoin()
    {
        var deviceId = await Portal.CreateDeviceAsync(Acme, "concurrent-sw", SimulatorBehavior.Static);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, 10).Select(async _ =>
        {
            await using var scope = Portal.ScopeAs(Acme, "operator@acme.example");
            var backups = scope.ServiceProvider.GetRequiredService<BackupService>();
            await gate.Task;
            return await backups.TriggerAsync(deviceId, BackupTrigger.Manual);
        }).ToList();
        gate.SetResult();
        var triggered = await Task.WhenAll(calls);

        var runs = await Portal.QueryAsync(Acme, db => db.BackupRuns.AsNoTracking().Where(r => r.DeviceId == deviceId).ToListAsync());
        var run = Assert.Single(runs);
        Assert.Equal(10, triggered.Length);
        Assert.All(triggered, r => Assert.Equal(run.Id, r.Run.Id));
        Assert.Single(triggered, r => !r.Joined);
        Assert.Equal(9, triggered.Count(r => r.Joined));
        var audited = await Portal.EntriesAsync(Acme, AuditActions.ConfigBackupManualTrigger, deviceId);
        Assert.Equal(10, audited.Count);
        Assert.Equal(9, audited.Count(e => e.Details().GetProperty("joined").GetBoolean()));

        await Portal.ExecuteRunAsync(Acme, run.Id);
        Assert.Single(await SnapshotsAsync(deviceId));
    }

    [Fact]
    public async Task ATriggerWhileARunIsQueuedJoinsItAndAfterItFinishesStartsANewOne()
    {
        var deviceId = await Portal.CreateDeviceAsync(Acme, "join-sw", SimulatorBehavior.Static);
        await using var scope = Portal.ScopeAs(Acme, "operator@acme.example");
        var backups = scope.ServiceProvider.GetRequiredService<BackupService>();

        var a = await backups.TriggerAsync(deviceId, BackupTrigger.Manual);
        var b = await backups.TriggerAsync(deviceId, BackupTrigger.Api);
        var active = await backups.GetActiveRunAsync(deviceId);
        await Portal.ExecuteRunAsync(Acme, a.Run.Id);
        var c = await backups.TriggerAsync(deviceId, BackupTrigger.Manual);

        Assert.Equal((false, true), (a.Joined, b.Joined));
        Assert.Equal(a.Run.Id, b.Run.Id);
        Assert.Equal(a.Run.Id, active?.Id);
        Assert.False(c.Joined);
        Assert.NotEqual(a.Run.Id, c.Run.Id);
    }

    [Fact]
    public async Task ExecutingAFinishedRunAgainChangesNothing()
    {
        var deviceId = await Portal.CreateDeviceAsync(Acme, "rerun-sw", SimulatorBehavior.Drifting);
        var run = await Portal.BackupAsync(Acme, deviceId);

        await Portal.ExecuteRunAsync(Acme, run.Id);

        Assert.Single(await SnapshotsAsync(deviceId));
        Assert.Equal(1, (await DeviceAsync(deviceId)).RunCount);
    }
}
