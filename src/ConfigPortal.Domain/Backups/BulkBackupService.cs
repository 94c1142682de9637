using System.Globalization;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace ConfigPortal.Domain.Backups;

/// <summary>
/// Bulk "Backup now": one request for a selection of devices or a whole group. Each device goes the way of
/// <see cref="BackupService.TriggerAsync"/> (queue a run, or join the one queued or running, with its own
/// <c>config_backup_manual_trigger</c> entry); disabled devices are skipped with a reason; an id the tenant does not
/// hold refuses the whole request before anything is queued. The request itself is recorded once
/// (<c>config_backup_bulk_trigger</c>, with the counts).
/// </summary>
public sealed class BulkBackupService(
    IPortalDbFactory dbFactory,
    TenantAccess access,
    ICurrentActor actor,
    IAuditService audit,
    BackupService backups,
    TimeProvider clock,
    ILogger<BulkBackupService> logger)
{
    /// <summary>The most devices one request may name (the same cap as the other bulk actions).</summary>
    public const int MaxDevices = DeviceService.MaxBulkDevices;

    /// <summary>The skip reason of a disabled device.</summary>
    public const string DisabledReason = "disabled";

    private const int MaxSkippedInAudit = 50;

    /// <summary>Backs up the given devices (duplicates count once).</summary>
    public async Task<BulkBackupResult> TriggerAsync(IReadOnlyCollection<int> deviceIds, BackupTrigger trigger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        var grant = await DemandAsync(trigger, ct);
        var distinct = deviceIds.Distinct().ToList();
        if (distinct.Count == 0) throw ValidationException.For("deviceIds", "Select at least one device.");
        if (distinct.Count > MaxDevices) throw ValidationException.For("deviceIds", $"Back up at most {MaxDevices} devices at a time.");

        List<Device> devices;
        await using (var db = await dbFactory.CreateAsync(ct))
            devices = await db.Devices.AsNoTracking().Where(d => distinct.Contains(d.Id)).ToListAsync(ct);
        // Another tenant's id (or none) refuses the whole request, before anything is queued or written.
        var found = devices.Select(d => d.Id).ToHashSet();
        var missing = distinct.Where(id => !found.Contains(id)).ToList();
        if (missing.Count > 0)
            throw await access.NotFoundAsync("device", missing[0], ct);
        var byId = devices.ToDictionary(d => d.Id);
        return await RunAsync(grant, distinct.Select(id => byId[id]).ToList(), trigger, group: null, duplicates: deviceIds.Count - distinct.Count, ct);
    }

    /// <summary>Backs up every device of a group.</summary>
    public async Task<BulkBackupResult> TriggerGroupAsync(string group, BackupTrigger trigger, CancellationToken ct = default)
    {
        var grant = await DemandAsync(trigger, ct);
        var name = DeviceService.NormalizeGroup(group) ?? throw ValidationException.For("group", "Name a group.");
        List<Device> devices;
        await using (var db = await dbFactory.CreateAsync(ct))
            devices = await db.Devices.AsNoTracking().Where(d => d.Group == name).OrderBy(d => d.Name).Take(MaxDevices + 1).ToListAsync(ct);
        if (devices.Count == 0) throw ValidationException.For("group", $"The group '{name}' has no devices.");
        if (devices.Count > MaxDevices) throw ValidationException.For("group", $"The group '{name}' has more than {MaxDevices} devices; back it up in parts.");
        return await RunAsync(grant, devices, trigger, name, duplicates: 0, ct);
    }

    /// <summary>Where a bulk request stands (for the progress bar and <c>GET /api/v1/bulk-backups/{id}</c>).</summary>
    public async Task<BulkBackupProgress> GetProgressAsync(long bulkId, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewDevices, "view backup runs", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var request = await db.BulkBackupRequests.AsNoTracking().FirstOrDefaultAsync(b => b.Id == bulkId, ct)
            ?? throw await access.NotFoundAsync("bulk_backup", bulkId, ct);
        var runs = await (from i in db.BulkBackupItems.AsNoTracking()
                          where i.BulkRequestId == bulkId && i.RunId != null
                          join r in db.BackupRuns on i.RunId equals r.Id
                          orderby r.Id
                          select new BulkRunState(r.Id, r.DeviceId, r.Status, r.Outcome)).ToListAsync(ct);
        return new BulkBackupProgress(request.Id, request.RequestedAtUtc, request.RequestedByName, request.Requested, request.Skipped, runs);
    }

    private async Task<AccessGrant> DemandAsync(BackupTrigger trigger, CancellationToken ct)
    {
        var grant = await access.DemandAsync(Permission.TriggerBackup, "trigger a backup", ct);
        // A bulk request is a person's or a script's: the scheduler triggers device by device.
        if (trigger is not (BackupTrigger.Manual or BackupTrigger.Api))
            throw ValidationException.For("trigger", "A bulk backup is triggered manually or through the API.");
        return grant;
    }

    private async Task<BulkBackupResult> RunAsync(AccessGrant grant, IReadOnlyList<Device> devices, BackupTrigger trigger, string? group, int duplicates, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateAsync(ct);
        var request = await db.ExecuteInTransactionAsync(async attemptCt =>
        {
            var r = new BulkBackupRequest
            {
                TenantId = grant.TenantId,
                Trigger = trigger,
                Group = group,
                RequestedByUserId = actor.UserId,
                RequestedByName = actor.Name,
                ClientIp = actor.ClientIp,
                RequestedAtUtc = clock.GetUtcNow().UtcDateTime,
                CorrelationId = actor.CorrelationId,
                Requested = devices.Count,
            };
            db.BulkBackupRequests.Add(r);
            await db.SaveChangesAsync(attemptCt);
            return r;
        }, ct);
        var bulkId = request.Id;

        // One transaction for the whole request; device by device only when another trigger raced one of them.
        var batch = await backups.QueueOrJoinManyAsync(db, grant.TenantId, devices.Where(d => d.Enabled).ToList(), trigger, bulkId, ct);
        var items = new List<BulkBackupItemResult>(devices.Count);
        foreach (var device in devices)
        {
            if (!device.Enabled)
            {
                items.Add(new BulkBackupItemResult(device.Id, device.Name, null, false, DisabledReason));
                continue;
            }
            if (batch is not null && batch.TryGetValue(device.Id, out var done))
            {
                items.Add(new BulkBackupItemResult(device.Id, device.Name, done.Run.Id, done.Joined, null));
                continue;
            }
            try
            {
                db.ChangeTracker.Clear();
                var result = await backups.QueueOrJoinAsync(db, grant.TenantId, device, trigger, bulkId, ct);
                items.Add(new BulkBackupItemResult(device.Id, device.Name, result.Run.Id, result.Joined, null));
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException && !ct.IsCancellationRequested)
            {
                // One device that cannot be queued (e.g. deleted meanwhile) does not stop the others.
                logger.LogWarning(ex, "Bulk backup {BulkId}: device {DeviceId} could not be queued", bulkId, device.Id);
                items.Add(new BulkBackupItemResult(device.Id, device.Name, null, false, "could not be queued"));
            }
        }

        var queued = items.Count(i => i.RunId is not null && !i.Joined);
        var joined = items.Count(i => i.Joined);
        var skipped = items.Count(i => i.RunId is null);
        await db.ExecuteInTransactionAsync(async attemptCt =>
        {
            var r = await db.BulkBackupRequests.SingleAsync(b => b.Id == bulkId, attemptCt);
            r.Queued = queued;
            r.Joined = joined;
            r.Skipped = skipped;
            db.BulkBackupItems.AddRange(items.Select(i => new BulkBackupItem
            {
                TenantId = grant.TenantId,
                BulkRequestId = bulkId,
                DeviceId = i.DeviceId,
                RunId = i.RunId,
                Joined = i.Joined,
                SkipReason = i.SkipReason,
            }));
            await db.SaveChangesAsync(attemptCt);
            await audit.AppendAsync(db, [new AuditRecord
            {
                TenantId = grant.TenantId,
                Action = AuditActions.ConfigBackupBulkTrigger,
                ResourceType = "bulk_backup",
                ResourceId = bulkId.ToString(CultureInfo.InvariantCulture),
                CorrelationId = request.CorrelationId,
                Details = new
                {
                    bulkId,
                    trigger = trigger.ToString().ToLowerInvariant(),
                    group,
                    requested = devices.Count,
                    duplicates,
                    queued,
                    joined,
                    skipped,
                    skippedDevices = items.Where(i => i.RunId is null).Take(MaxSkippedInAudit)
                        .Select(i => new { deviceId = i.DeviceId, name = i.DeviceName, reason = i.SkipReason }).ToList(),
                },
            }], attemptCt);
        }, ct);
        logger.LogInformation("Bulk backup {BulkId}: {Requested} device(s), {Queued} queued, {Joined} joined, {Skipped} skipped", bulkId, devices.Count, queued, joined, skipped);
        return new BulkBackupResult(bulkId, trigger, group, devices.Count, duplicates, queued, joined, skipped, items);
    }
}
