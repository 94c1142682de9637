using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Backups;

/// <summary>Bulk Backup now on a real SQLite database: the per-device trigger semantics, the whole-request refusals and the audit.</summary>
public sealed class BulkBackupTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Operator = "operator@acme.example";
    private PortalHost Portal => fixture.Portal;
    private int Acme => Portal.AcmeId;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<int> DeviceAsync(string group, SimulatorBehavior behavior = SimulatorBehavior.Static, bool enabled = true, int? tenantId = null)
    {
        await using var scope = Portal.SystemScope(tenantId ?? Acme);
        return await scope.ServiceProvider.GetRequiredService<DeviceService>().CreateAsync(new DeviceInput
        {
            Name = Unique("bulk"), Address = "192.0.2.61", Port = 22, Vendor = "cisco_ios", Driver = DeviceDriver.Simulator,
            SimulatorBehavior = behavior, Group = group, Enabled = enabled,
        });
    }

    private async Task<T> AsAsync<T>(string email, Func<BulkBackupService, Task<T>> call)
    {
        await using var scope = Portal.ScopeAs(Acme, email);
        return await call(scope.ServiceProvider.GetRequiredService<BulkBackupService>());
    }

    private Task<int> RunCountAsync(int deviceId) => Portal.QueryAsync(Acme, db => db.BackupRuns.CountAsync(r => r.DeviceId == deviceId));

    private Task<int> BulkRequestCountAsync() => Portal.QueryAsync(Acme, db => db.BulkBackupRequests.CountAsync());

    [Fact]
    public async Task Duplicates_count_once_disabled_devices_are_skipped_and_a_running_device_is_joined()
    {
        var group = Unique("grp");
        var fresh = await DeviceAsync(group);
        var disabled = await DeviceAsync(group, enabled: false);
        var running = await DeviceAsync(group);
        TriggerResult active;
        await using (var scope = Portal.ScopeAs(Acme, "admin@acme.example"))
            active = await scope.ServiceProvider.GetRequiredService<BackupService>().TriggerAsync(running, BackupTrigger.Manual);
        var before = await Portal.LastSequenceAsync(Acme);

        var result = await AsAsync(Operator, b => b.TriggerAsync([fresh, fresh, disabled, running, fresh], BackupTrigger.Manual));

        Assert.Equal((3, 2, 1, 1, 1), (result.Requested, result.Duplicates, result.Queued, result.Joined, result.Skipped));
        var byDevice = result.Items.ToDictionary(i => i.DeviceId);
        Assert.Equal((false, (string?)null), (byDevice[fresh].Joined, byDevice[fresh].SkipReason));
        Assert.NotNull(byDevice[fresh].RunId);
        Assert.Equal((active.Run.Id, true), (byDevice[running].RunId, byDevice[running].Joined));
        Assert.Equal(((long?)null, BulkBackupService.DisabledReason), (byDevice[disabled].RunId, byDevice[disabled].SkipReason));
        Assert.Equal(0, await RunCountAsync(disabled));
        Assert.Equal(1, await RunCountAsync(running)); // joined, not a second run
        Assert.Equal(1, await RunCountAsync(fresh));

        // One entry for the request with the counts, and the usual per-device entries naming it.
        var bulkEntry = Assert.Single(await Portal.EntriesAsync(Acme, AuditActions.ConfigBackupBulkTrigger), e => e.Sequence > before);
        var details = bulkEntry.Details();
        Assert.Equal((result.BulkId, "manual", 3, 2, 1, 1, 1), (details.GetProperty("bulkId").GetInt64(), details.GetProperty("trigger").GetString(),
            details.GetProperty("requested").GetInt32(), details.GetProperty("duplicates").GetInt32(), details.GetProperty("queued").GetInt32(),
            details.GetProperty("joined").GetInt32(), details.GetProperty("skipped").GetInt32()));
        Assert.Equal(disabled, details.GetProperty("skippedDevices")[0].GetProperty("deviceId").GetInt32());
        Assert.Equal(("bulk_backup", Portal.User(Operator).Name), (bulkEntry.ResourceType, bulkEntry.ActorName));
        var perDevice = (await Portal.EntriesAsync(Acme, AuditActions.ConfigBackupManualTrigger)).Where(e => e.Sequence > before).ToList();
        Assert.Equal(new[] { fresh, running }.Order(), perDevice.Select(e => e.DeviceId!.Value).Order());
        Assert.All(perDevice, e => Assert.Equal(result.BulkId, e.Details().GetProperty("bulkId").GetInt64()));
        Assert.True(perDevice.Single(e => e.DeviceId == running).Details().GetProperty("joined").GetBoolean());

        // Progress follows both runs (the queued and the joined one) to the end.
        var progress = await AsAsync("auditor@acme.example", b => b.GetProgressAsync(result.BulkId));
        Assert.Equal((2, 0, 0, 2, 1), (progress.Total, progress.Done, progress.Failed, progress.Remaining, progress.Skipped));
        await Portal.ExecuteRunAsync(Acme, byDevice[fresh].RunId!.Value);
        await Portal.ExecuteRunAsync(Acme, active.Run.Id);
        progress = await AsAsync("auditor@acme.example", b => b.GetProgressAsync(result.BulkId));
        Assert.Equal((2, 2, 0, 0, true), (progress.Total, progress.Done, progress.Failed, progress.Remaining, progress.IsFinished));

        // The Runs page filtered to the request shows both; the run it queued carries its id.
        await using var scope2 = Portal.ScopeAs(Acme, "auditor@acme.example");
        var rows = (await scope2.ServiceProvider.GetRequiredService<RunQueryService>().QueryPageAsync(new RunFilter { BulkId = result.BulkId }, 0, 50, null)).Items;
        Assert.Equal(new[] { active.Run.Id, byDevice[fresh].RunId!.Value }.Order(), rows.Select(r => r.Id).Order());
        Assert.Equal(result.BulkId, rows.Single(r => r.DeviceId == fresh).BulkId);
        Assert.Null(rows.Single(r => r.DeviceId == running).BulkId); // joined: another request started it
    }

    [Fact]
    public async Task A_bulk_request_queues_all_its_runs_in_one_batch_and_a_conflict_rolls_the_batch_back()
    {
        var group = Unique("grp");
        var a = await DeviceAsync(group);
        var b = await DeviceAsync(group);
        await using var scope = Portal.ScopeAs(Acme, Operator);
        var backups = scope.ServiceProvider.GetRequiredService<BackupService>();
        var devices = await Portal.QueryAsync(Acme, db => db.Devices.AsNoTracking().Where(d => d.Id == a || d.Id == b).OrderBy(d => d.Id).ToListAsync());
        await using var db = await scope.ServiceProvider.GetRequiredService<Domain.Data.IPortalDbFactory>().CreateAsync();

        // The same device twice stands for another trigger racing the batch: the second run breaks the unique
        // ActiveDeviceId, the whole batch rolls back (no run, no audit entry) and the caller goes device by device.
        var before = await Portal.LastSequenceAsync(Acme);
        Assert.Null(await backups.QueueOrJoinManyAsync(db, Acme, [devices[0], devices[1], devices[0]], BackupTrigger.Manual, bulkId: null, default));
        Assert.Equal((0, 0), (await RunCountAsync(a), await RunCountAsync(b)));
        Assert.Equal(before, await Portal.LastSequenceAsync(Acme));

        var done = await backups.QueueOrJoinManyAsync(db, Acme, devices, BackupTrigger.Manual, bulkId: null, default);
        Assert.NotNull(done);
        Assert.Equal((false, false), (done[a].Joined, done[b].Joined));
        Assert.Equal((1, 1), (await RunCountAsync(a), await RunCountAsync(b)));
        var entries = (await Portal.EntriesAsync(Acme, AuditActions.ConfigBackupManualTrigger)).Where(e => e.Sequence > before).ToList();
        Assert.Equal(new[] { a, b }, entries.Select(e => e.DeviceId!.Value).Order());

        // Again while both runs are queued: both join, nothing new is queued.
        var again = await backups.QueueOrJoinManyAsync(db, Acme, devices, BackupTrigger.Manual, bulkId: null, default);
        Assert.Equal((true, true, done[a].Run.Id), (again![a].Joined, again[b].Joined, again[a].Run.Id));
        Assert.Equal((1, 1), (await RunCountAsync(a), await RunCountAsync(b)));
    }

    [Fact]
    public async Task A_failed_device_counts_as_failed_in_the_progress()
    {
        var group = Unique("fail");
        var ok = await DeviceAsync(group);
        var down = await DeviceAsync(group, SimulatorBehavior.Unreachable);

        var result = await AsAsync(Operator, b => b.TriggerGroupAsync(group, BackupTrigger.Manual));
        Assert.Equal((2, 2, 0), (result.Requested, result.Queued, result.Skipped));
        Assert.Equal(group, result.Group);
        foreach (var id in result.RunIds) await Portal.ExecuteRunAsync(Acme, id);

        var progress = await AsAsync(Operator, b => b.GetProgressAsync(result.BulkId));
        Assert.Equal((1, 1, 0), (progress.Done, progress.Failed, progress.Remaining));
        Assert.Contains(progress.Runs, r => r.DeviceId == down && r.Status == BackupRunStatus.Failed);
        Assert.Contains(progress.Runs, r => r.DeviceId == ok && r.Status == BackupRunStatus.Succeeded);
    }

    [Fact]
    public async Task Another_tenants_id_refuses_the_whole_request_before_anything_is_queued()
    {
        var own = await DeviceAsync(Unique("own"));
        var foreign = await DeviceAsync(Unique("foreign"), tenantId: Portal.GlobexId);
        var requests = await BulkRequestCountAsync();
        var before = await Portal.LastSequenceAsync(Acme);

        await Assert.ThrowsAsync<NotFoundException>(() => AsAsync(Operator, b => b.TriggerAsync([own, foreign], BackupTrigger.Manual)));
        await Assert.ThrowsAsync<NotFoundException>(() => AsAsync(Operator, b => b.TriggerAsync([own, 987_654], BackupTrigger.Api)));

        Assert.Equal(0, await RunCountAsync(own));
        Assert.Equal(requests, await BulkRequestCountAsync());
        var entries = await Portal.QueryAsync(Acme, db => db.AuditEntries.AsNoTracking().Where(e => e.Sequence > before).ToListAsync());
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal((AuditActions.AuthorizationDenied, AuditOutcome.Denied, "device"), (e.Action, e.Outcome, e.ResourceType)));
        Assert.Equal(foreign.ToString(System.Globalization.CultureInfo.InvariantCulture), entries[0].ResourceId);
        // Globex's device was not queued either.
        Assert.Equal(0, await Portal.QueryAsync(Portal.GlobexId, db => db.BackupRuns.CountAsync(r => r.DeviceId == foreign)));
    }

    [Fact]
    public async Task Another_tenants_bulk_request_is_not_found()
    {
        var globexDevice = await DeviceAsync(Unique("g"), tenantId: Portal.GlobexId);
        BulkBackupResult globex;
        await using (var scope = Portal.ScopeAs(Portal.GlobexId, "admin@globex.example"))
            globex = await scope.ServiceProvider.GetRequiredService<BulkBackupService>().TriggerAsync([globexDevice], BackupTrigger.Manual);

        await Assert.ThrowsAsync<NotFoundException>(() => AsAsync(Operator, b => b.GetProgressAsync(globex.BulkId)));
        await using var acme = Portal.ScopeAs(Acme, Operator);
        Assert.Empty((await acme.ServiceProvider.GetRequiredService<RunQueryService>().QueryPageAsync(new RunFilter { BulkId = globex.BulkId }, 0, 50, null)).Items);
    }

    [Fact]
    public async Task Bad_requests_are_refused_without_queueing()
    {
        var device = await DeviceAsync(Unique("bad"));
        var requests = await BulkRequestCountAsync();

        await Assert.ThrowsAsync<ValidationException>(() => AsAsync(Operator, b => b.TriggerAsync([], BackupTrigger.Manual)));
        await Assert.ThrowsAsync<ValidationException>(() => AsAsync(Operator, b => b.TriggerAsync(Enumerable.Range(1, BulkBackupService.MaxDevices + 1).ToList(), BackupTrigger.Manual)));
        await Assert.ThrowsAsync<ValidationException>(() => AsAsync(Operator, b => b.TriggerAsync([device], BackupTrigger.Schedule)));
        await Assert.ThrowsAsync<ValidationException>(() => AsAsync(Operator, b => b.TriggerAsync([device], (BackupTrigger)99)));
        await Assert.ThrowsAsync<ValidationException>(() => AsAsync(Operator, b => b.TriggerGroupAsync(Unique("empty"), BackupTrigger.Manual)));
        await Assert.ThrowsAsync<ValidationException>(() => AsAsync(Operator, b => b.TriggerGroupAsync("  ", BackupTrigger.Manual)));

        Assert.Equal(0, await RunCountAsync(device));
        Assert.Equal(requests, await BulkRequestCountAsync());
    }

    [Fact]
    public async Task An_auditor_may_not_trigger_and_the_denial_is_audited()
    {
        var device = await DeviceAsync(Unique("deny"));
        var before = await Portal.LastSequenceAsync(Acme);

        await Assert.ThrowsAsync<AccessDeniedException>(() => AsAsync("auditor@acme.example", b => b.TriggerAsync([device], BackupTrigger.Manual)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => AsAsync("auditor@acme.example", b => b.TriggerGroupAsync("core", BackupTrigger.Manual)));

        Assert.Equal(0, await RunCountAsync(device));
        var entries = await Portal.QueryAsync(Acme, db => db.AuditEntries.AsNoTracking().Where(e => e.Sequence > before).ToListAsync());
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal((AuditActions.AuthorizationDenied, "operation"), (e.Action, e.ResourceType)));
    }
}
