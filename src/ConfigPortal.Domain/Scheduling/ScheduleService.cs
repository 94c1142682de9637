using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Scheduling;

/// <summary>
/// The backup schedules of the active tenant: the tenant default, one per device group and one per device (the most
/// specific wins: device &gt; group &gt; tenant default). Everyone who may view devices sees them; tenant admins
/// (<see cref="Permission.ManageSettings"/>) change them, each change audited with before/after.
/// </summary>
public sealed class ScheduleService(IPortalDbFactory dbFactory, TenantAccess access, IAuditService audit, TimeProvider clock)
{
    public async Task<TenantSchedules> GetTenantSchedulesAsync(CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewDevices, "view backup schedules", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var all = await db.BackupSchedules.AsNoTracking().Where(s => s.Scope != ScheduleScope.Device).ToListAsync(ct);
        var groups = await db.Devices.AsNoTracking().Where(d => d.Group != null).Select(d => d.Group!).Distinct().ToListAsync(ct);
        return new TenantSchedules(
            all.Where(s => s.Scope == ScheduleScope.Tenant).Select(ScheduleView.From).FirstOrDefault(),
            all.Where(s => s.Scope == ScheduleScope.Group).OrderBy(s => s.GroupName, StringComparer.OrdinalIgnoreCase).Select(ScheduleView.From).ToList(),
            groups.Order(StringComparer.OrdinalIgnoreCase).ToList());
    }

    /// <summary>Creates or changes the tenant default schedule.</summary>
    public Task<ScheduleView> SetTenantDefaultAsync(ScheduleInput input, CancellationToken ct = default) =>
        SetAsync(ScheduleScope.Tenant, null, null, input, ct);

    public Task<bool> RemoveTenantDefaultAsync(CancellationToken ct = default) => RemoveAsync(ScheduleScope.Tenant, null, null, ct);

    /// <summary>Creates or changes the schedule of a device group (a group name as on the devices).</summary>
    public Task<ScheduleView> SetGroupScheduleAsync(string group, ScheduleInput input, CancellationToken ct = default) =>
        SetAsync(ScheduleScope.Group, group, null, input, ct);

    public Task<bool> RemoveGroupScheduleAsync(string group, CancellationToken ct = default) => RemoveAsync(ScheduleScope.Group, group, null, ct);

    /// <summary>Creates or changes a device's own schedule (overrides its group's and the tenant default).</summary>
    public Task<ScheduleView> SetDeviceScheduleAsync(int deviceId, ScheduleInput input, CancellationToken ct = default) =>
        SetAsync(ScheduleScope.Device, null, deviceId, input, ct);

    public Task<bool> RemoveDeviceScheduleAsync(int deviceId, CancellationToken ct = default) => RemoveAsync(ScheduleScope.Device, null, deviceId, ct);

    /// <summary>The device's own schedule, the one in effect (and from where), and its next planned run.</summary>
    public async Task<DeviceScheduleView> GetDeviceScheduleAsync(int deviceId, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewDevices, "view backup schedules", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var device = await db.Devices.AsNoTracking().Where(d => d.Id == deviceId).Select(d => new { d.Id, d.Group, d.Enabled }).FirstOrDefaultAsync(ct)
            ?? throw await access.NotFoundAsync("device", deviceId, ct);
        var key = BackupSchedule.KeyFor(ScheduleScope.Device, null, deviceId);
        var groupKey = device.Group is null ? null : BackupSchedule.KeyFor(ScheduleScope.Group, device.Group, null);
        var candidates = await db.BackupSchedules.AsNoTracking()
            .Where(s => s.ScopeKey == key || s.ScopeKey == "tenant" || (groupKey != null && s.ScopeKey == groupKey))
            .ToListAsync(ct);
        var own = candidates.FirstOrDefault(s => s.Scope == ScheduleScope.Device);
        var effective = ScheduleMath.Resolve(own, device.Group is null ? [] : [device.Group],
            g => candidates.FirstOrDefault(s => s.Scope == ScheduleScope.Group && s.GroupName == g),
            candidates.FirstOrDefault(s => s.Scope == ScheduleScope.Tenant));

        DateTime? next = null;
        DateTimeOffset? local = null;
        string? reason = null;
        if (!device.Enabled) reason = "The device is disabled: it is not backed up on schedule.";
        else if (effective is null) reason = "No schedule applies: set a tenant default, a group or a device schedule.";
        else if (!effective.Enabled) reason = $"The {effective.Scope.ToString().ToLowerInvariant()} schedule in effect is disabled.";
        else if (ScheduleMath.TryParse(effective.CronExpression, out _) is { } cron && ScheduleMath.TryFindZone(effective.TimeZoneId, out _) is { } zone)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            next = ScheduleMath.NextRunUtc(cron, zone, deviceId, effective.JitterSeconds, now);
            if (next is { } n) local = TimeZoneInfo.ConvertTime(new DateTimeOffset(n, TimeSpan.Zero), zone);
        }
        return new DeviceScheduleView(deviceId, own is null ? null : ScheduleView.From(own), effective is null ? null : ScheduleView.From(effective),
            effective?.Scope, next, local, reason);
    }

    private async Task<ScheduleView> SetAsync(ScheduleScope scope, string? group, int? deviceId, ScheduleInput input, CancellationToken ct)
    {
        var grant = await access.DemandAsync(Permission.ManageSettings, "change backup schedules", ct);
        var errors = ScheduleMath.Validate(input);
        if (scope == ScheduleScope.Group)
        {
            if (string.IsNullOrWhiteSpace(group)) errors["Group"] = ["Choose a device group."];
            else if (DeviceService.GroupError(group) is { } groupError) errors["Group"] = [groupError];
        }
        if (errors.Count > 0) throw new ValidationException(errors);
        group = scope == ScheduleScope.Group ? DeviceService.NormalizeGroup(group) : null;

        await using var db = await dbFactory.CreateAsync(ct);
        string? deviceName = null;
        if (deviceId is { } id)
        {
            deviceName = await db.Devices.AsNoTracking().Where(d => d.Id == id).Select(d => d.Name).FirstOrDefaultAsync(ct)
                ?? throw await access.NotFoundAsync("device", id, ct);
        }
        var key = BackupSchedule.KeyFor(scope, group, deviceId);
        var cron = input.CronExpression.Trim();
        var zone = input.TimeZoneId.Trim();
        return await db.ExecuteInTransactionAsync(async attemptCt =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var row = await db.BackupSchedules.FirstOrDefaultAsync(s => s.ScopeKey == key, attemptCt);
            object? before = row is null ? null : Snapshot(row);
            if (row is null)
            {
                row = new BackupSchedule
                {
                    TenantId = grant.TenantId, Scope = scope, GroupName = group, DeviceId = deviceId, ScopeKey = key,
                    CronExpression = cron, TimeZoneId = zone, JitterSeconds = input.JitterSeconds, Enabled = input.Enabled,
                    CreatedAtUtc = now, UpdatedAtUtc = now,
                };
                db.BackupSchedules.Add(row);
            }
            else
            {
                if (row.CronExpression == cron && row.TimeZoneId == zone && row.JitterSeconds == input.JitterSeconds && row.Enabled == input.Enabled)
                    return ScheduleView.From(row);
                row.CronExpression = cron;
                row.TimeZoneId = zone;
                row.JitterSeconds = input.JitterSeconds;
                row.Enabled = input.Enabled;
                row.UpdatedAtUtc = now;
            }
            await db.SaveChangesAsync(attemptCt);
            await audit.AppendAsync(db, [Record(grant.TenantId, before is null ? AuditActions.ScheduleCreated : AuditActions.ScheduleChanged,
                row, deviceName, before, Snapshot(row))], attemptCt);
            return ScheduleView.From(row);
        }, ct);
    }

    private async Task<bool> RemoveAsync(ScheduleScope scope, string? group, int? deviceId, CancellationToken ct)
    {
        var grant = await access.DemandAsync(Permission.ManageSettings, "change backup schedules", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        string? deviceName = null;
        if (deviceId is { } id)
        {
            deviceName = await db.Devices.AsNoTracking().Where(d => d.Id == id).Select(d => d.Name).FirstOrDefaultAsync(ct)
                ?? throw await access.NotFoundAsync("device", id, ct);
        }
        var key = BackupSchedule.KeyFor(scope, scope == ScheduleScope.Group ? DeviceService.NormalizeGroup(group) : null, deviceId);
        return await db.ExecuteInTransactionAsync(async attemptCt =>
        {
            var row = await db.BackupSchedules.FirstOrDefaultAsync(s => s.ScopeKey == key, attemptCt);
            if (row is null) return false;
            db.BackupSchedules.Remove(row);
            await db.SaveChangesAsync(attemptCt);
            await audit.AppendAsync(db, [Record(grant.TenantId, AuditActions.ScheduleRemoved, row, deviceName, Snapshot(row), null)], attemptCt);
            return true;
        }, ct);
    }

    private static object Snapshot(BackupSchedule s) => new { cron = s.CronExpression, timeZone = s.TimeZoneId, jitterSeconds = s.JitterSeconds, enabled = s.Enabled };

    private static AuditRecord Record(int tenantId, string action, BackupSchedule s, string? deviceName, object? before, object? after) => new()
    {
        TenantId = tenantId,
        Action = action,
        ResourceType = "backup_schedule",
        ResourceId = s.ScopeKey,
        DeviceId = s.DeviceId,
        DeviceName = deviceName,
        Details = new { scope = s.Scope.ToString().ToLowerInvariant(), group = s.GroupName, deviceId = s.DeviceId, before, after },
    };
}
