using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ConfigPortal.Domain.Backups;

/// <summary>Starts backups (one path for every trigger) and reads runs.</summary>
public sealed class BackupService(
    IPortalDbFactory dbFactory,
    TenantAccess access,
    ICurrentActor actor,
    IAuditService audit,
    IBackupQueue queue,
    BackupNotifier notifier,
    TimeProvider clock,
    ILogger<BackupService> logger)
{
    /// <summary>
    /// Queues a backup of the device, or joins the run already queued or running for it (idempotent Backup now).
    /// </summary>
    public async Task<TriggerResult> TriggerAsync(int deviceId, BackupTrigger trigger, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.TriggerBackup, "trigger a backup", ct);
        // The trigger comes from the caller: an undefined value, or "schedule" from anyone but the scheduler (which
        // would skip the manual-trigger audit entry and attribute the run to the system), is rejected.
        if (!Enum.IsDefined(trigger) || (trigger == BackupTrigger.Schedule && actor.Kind != ActorKind.System))
            throw ValidationException.For("trigger", "Unknown backup trigger.");
        await using var db = await dbFactory.CreateAsync(ct);
        var device = await db.Devices.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deviceId, ct)
            ?? throw await access.NotFoundAsync("device", deviceId, ct);
        if (!device.Enabled)
            throw ValidationException.For("device", $"Device '{device.Name}' is disabled; enable it before backing it up.");
        return await QueueOrJoinAsync(db, grant.TenantId, device, trigger, bulkId: null, ct);
    }

    /// <summary>
    /// The trigger after its checks (permission, trigger, device found and enabled): queue a run or join the active one.
    /// Shared with <see cref="BulkBackupService"/>, which checks once for the whole request.
    /// </summary>
    internal async Task<TriggerResult> QueueOrJoinAsync(IPortalDb db, int tenantId, Devices.Device device, BackupTrigger trigger, long? bulkId, CancellationToken ct)
    {
        var deviceId = device.Id;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var existing = await db.BackupRuns.AsNoTracking().FirstOrDefaultAsync(r => r.ActiveDeviceId == deviceId, ct);
            if (existing is not null)
            {
                await RecordTriggerAsync(tenantId, device, existing, trigger, joined: true, bulkId, ct);
                return new TriggerResult(BackupRunView.From(existing), Joined: true);
            }

            BackupRun run;
            try
            {
                // One retriable unit: the run row (its unique ActiveDeviceId claims the device) and the audit entry.
                run = await db.ExecuteInTransactionAsync(async attemptCt =>
                {
                    var queued = NewRun(tenantId, deviceId, trigger, clock.GetUtcNow().UtcDateTime);
                    db.BackupRuns.Add(queued);
                    await db.SaveChangesAsync(attemptCt);
                    if (trigger != BackupTrigger.Schedule)
                        await audit.AppendAsync(db, [TriggerRecord(tenantId, device, queued, trigger, joined: false, bulkId)], attemptCt);
                    return queued;
                }, ct);
            }
            catch (DbUpdateException)
            {
                // Another trigger won the unique ActiveDeviceId race (the transaction rolled back): join its run.
                db.ChangeTracker.Clear();
                continue;
            }

            var view = BackupRunView.From(run);
            await notifier.PublishAsync(new BackupRunChanged(run.TenantId, deviceId, view));
            await queue.EnqueueAsync(run.Id, run.TenantId, ct);
            logger.LogInformation("Backup run {RunId} queued for device {DeviceId} ({Trigger}) correlation {CorrelationId}", run.Id, deviceId, trigger, run.CorrelationId);
            return new TriggerResult(view, Joined: false);
        }
        throw new InvalidOperationException("Could not queue or join a backup run.");
    }

    /// <summary>
    /// A bulk request's queueing in one transaction: devices with an active run join it, every other device gets a
    /// run, and all the trigger audit entries are appended with them (one commit instead of one per device). Returns
    /// null when another trigger raced one of the devices (the unique ActiveDeviceId rolled the whole batch back, or a
    /// device vanished): the caller then queues device by device with <see cref="QueueOrJoinAsync"/>.
    /// </summary>
    internal async Task<Dictionary<int, TriggerResult>?> QueueOrJoinManyAsync(IPortalDb db, int tenantId, IReadOnlyList<Devices.Device> devices, BackupTrigger trigger, long? bulkId, CancellationToken ct)
    {
        if (devices.Count == 0) return [];
        var ids = devices.Select(d => d.Id).ToList();
        (Dictionary<int, BackupRun> Active, List<BackupRun> Queued) batch;
        try
        {
            batch = await db.ExecuteInTransactionAsync(async attemptCt =>
            {
                db.ChangeTracker.Clear();
                var active = await db.BackupRuns.AsNoTracking()
                    .Where(r => r.ActiveDeviceId != null && ids.Contains(r.ActiveDeviceId.Value))
                    .ToDictionaryAsync(r => r.ActiveDeviceId!.Value, attemptCt);
                var now = clock.GetUtcNow().UtcDateTime;
                var queued = devices.Where(d => !active.ContainsKey(d.Id)).Select(d => NewRun(tenantId, d.Id, trigger, now)).ToList();
                db.BackupRuns.AddRange(queued);
                await db.SaveChangesAsync(attemptCt);
                if (trigger != BackupTrigger.Schedule)
                {
                    var byDevice = queued.ToDictionary(r => r.DeviceId);
                    var records = devices.Select(d => active.TryGetValue(d.Id, out var joined)
                        ? TriggerRecord(tenantId, d, joined, trigger, joined: true, bulkId)
                        : TriggerRecord(tenantId, d, byDevice[d.Id], trigger, joined: false, bulkId)).ToList();
                    await audit.AppendAsync(db, records, attemptCt);
                }
                return (active, queued);
            }, ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return null;
        }

        var results = new Dictionary<int, TriggerResult>(devices.Count);
        foreach (var (deviceId, run) in batch.Active)
            results[deviceId] = new TriggerResult(BackupRunView.From(run), Joined: true);
        foreach (var run in batch.Queued)
        {
            var view = BackupRunView.From(run);
            await notifier.PublishAsync(new BackupRunChanged(run.TenantId, run.DeviceId, view));
            await queue.EnqueueAsync(run.Id, run.TenantId, ct);
            results[run.DeviceId] = new TriggerResult(view, Joined: false);
        }
        logger.LogInformation("Bulk backup {BulkId}: {Queued} runs queued, {Joined} joined ({Trigger})", bulkId, batch.Queued.Count, batch.Active.Count, trigger);
        return results;
    }

    /// <summary>A queued run of a trigger by the current actor; its ActiveDeviceId claims the device.</summary>
    private BackupRun NewRun(int tenantId, int deviceId, BackupTrigger trigger, DateTime now) => new()
    {
        TenantId = tenantId,
        DeviceId = deviceId,
        Trigger = trigger,
        RequestedByUserId = actor.UserId,
        RequestedByName = actor.Name,
        ClientIp = actor.ClientIp,
        Status = BackupRunStatus.Queued,
        QueuedAtUtc = now,
        CorrelationId = Guid.NewGuid().ToString("N"),
        ActiveDeviceId = deviceId,
    };

    private async Task RecordTriggerAsync(int tenantId, Devices.Device device, BackupRun run, BackupTrigger trigger, bool joined, long? bulkId, CancellationToken ct)
    {
        if (trigger == BackupTrigger.Schedule) return;
        await audit.RecordAsync(TriggerRecord(tenantId, device, run, trigger, joined, bulkId), ct);
    }

    private static AuditRecord TriggerRecord(int tenantId, Devices.Device device, BackupRun run, BackupTrigger trigger, bool joined, long? bulkId) => new()
    {
        TenantId = tenantId,
        Action = AuditActions.ConfigBackupManualTrigger,
        ResourceType = "backup_run",
        ResourceId = run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        DeviceId = device.Id,
        DeviceName = device.Name,
        CorrelationId = run.CorrelationId,
        // A device of a bulk request names the request (config_backup_bulk_trigger holds its counts).
        Details = bulkId is { } bulk
            ? new { runId = run.Id, trigger = trigger.ToString().ToLowerInvariant(), joined, bulkId = bulk }
            : (object)new { runId = run.Id, trigger = trigger.ToString().ToLowerInvariant(), joined },
    };

    public async Task<BackupRunView> GetRunAsync(long runId, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewDevices, "view backup runs", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var run = await db.BackupRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, ct)
            ?? throw await access.NotFoundAsync("backup_run", runId, ct);
        return BackupRunView.From(run);
    }

    /// <summary>The run queued or running for a device, if any (to restore the Backup now state on page load).</summary>
    public async Task<BackupRunView?> GetActiveRunAsync(int deviceId, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewDevices, "view backup runs", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        // Another tenant's (or no) device is a denial like every other id, not a silent "no run".
        if (!await db.Devices.AnyAsync(d => d.Id == deviceId, ct))
            throw await access.NotFoundAsync("device", deviceId, ct);
        var run = await db.BackupRuns.AsNoTracking().FirstOrDefaultAsync(r => r.ActiveDeviceId == deviceId, ct);
        return run is null ? null : BackupRunView.From(run);
    }

    public async Task<PagedResult<BackupRunView>> ListRunsAsync(int deviceId, int skip, int take, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewDevices, "view backup runs", ct);
        take = Math.Clamp(take, 1, 200);
        await using var db = await dbFactory.CreateAsync(ct);
        if (!await db.Devices.AnyAsync(d => d.Id == deviceId, ct))
            throw await access.NotFoundAsync("device", deviceId, ct);
        var q = db.BackupRuns.AsNoTracking().Where(r => r.DeviceId == deviceId);
        var total = await q.CountAsync(ct);
        var rows = await q.OrderByDescending(r => r.Id).Skip(Math.Max(0, skip)).Take(take).ToListAsync(ct);
        return new PagedResult<BackupRunView>(rows.Select(BackupRunView.From).ToList(), total);
    }
}
