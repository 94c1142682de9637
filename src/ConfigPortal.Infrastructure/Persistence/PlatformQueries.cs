using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Scheduling;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Infrastructure.Persistence;

/// <summary>
/// The only place that reads across tenants (<c>IgnoreQueryFilters</c>). Each method is a platform-level need that no
/// tenant scope can answer: finding which tenant a token, a run or a user belongs to. A test checks that no other
/// file calls IgnoreQueryFilters (see <see cref="AllowList"/>).
/// </summary>
public sealed class PlatformQueries(IDbContextFactory<PortalDbContext> factory, TimeProvider clock) : IPlatformUsage
{
    /// <summary>Methods allowed to bypass the tenant filter; the isolation test compares this list with the code.</summary>
    public static readonly IReadOnlyList<string> AllowList =
    [
        nameof(FindApiTokenAsync),
        nameof(MembershipsOfUserAsync),
        nameof(PendingRunsAsync),
        nameof(MembershipCountOfUserAsync),
        nameof(UsageByTenantAsync),
        nameof(ClaimNotificationDeliveriesAsync),
        nameof(DeleteCompletedDeliveriesAsync),
        nameof(SchedulingInputsAsync),
        nameof(PlannedSlotsAsync),
        nameof(ActiveRunsOfDevicesAsync),
        nameof(LastServedSlotsAsync),
        nameof(SlotRunFinishTimesAsync),
        nameof(RenewLeasesAsync),
        nameof(ExpiredLeasesAsync),
        nameof(TakeOverAsync),
        nameof(ReleaseQueuedAsync),
    ];

    /// <summary>Validates an API token secret: unknown, revoked or expired tokens give null.</summary>
    public async Task<ApiTokenIdentity?> FindApiTokenAsync(string secret, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(secret) || !secret.StartsWith(ApiTokenService.TokenPrefix, StringComparison.Ordinal) || secret.Length > 200)
            return null;
        var hash = ApiTokenService.Hash(secret);
        await using var db = await factory.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.IgnoreQueryFilters().FirstOrDefaultAsync(t => t.TokenHash == hash, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        if (token is null || token.RevokedAtUtc is not null || (token.ExpiresAtUtc is { } exp && exp <= now))
            return null;
        var suspended = await db.Tenants.Where(t => t.Id == token.TenantId).Select(t => t.IsSuspended).FirstAsync(ct);
        if (suspended) return null;
        if (token.LastUsedAtUtc is null || now - token.LastUsedAtUtc > TimeSpan.FromMinutes(1))
        {
            await db.ApiTokens.IgnoreQueryFilters().Where(t => t.Id == token.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAtUtc, now), ct);
        }
        return new ApiTokenIdentity(token.Id, token.TenantId, token.Name, token.Scopes);
    }

    /// <summary>The tenants a user belongs to, with the role in each (for the tenant switcher and sign-in).</summary>
    public async Task<IReadOnlyList<(int TenantId, string TenantName, TenantRole Role)>> MembershipsOfUserAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.TenantMemberships.IgnoreQueryFilters()
            .Where(m => m.UserId == userId)
            .Join(db.Tenants.Where(t => !t.IsSuspended), m => m.TenantId, t => t.Id, (m, t) => new { m.TenantId, t.Name, m.Role })
            .OrderBy(x => x.Name)
            .ToListAsync(ct);
        return rows.Select(r => (r.TenantId, r.Name, r.Role)).ToList();
    }

    /// <summary>Runs that are queued or running on any tenant (worker start-up recovery).</summary>
    public async Task<IReadOnlyList<(long RunId, int TenantId, BackupRunStatus Status, DateTime QueuedAtUtc)>> PendingRunsAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.BackupRuns.IgnoreQueryFilters()
            .Where(r => r.ActiveDeviceId != null)
            .OrderBy(r => r.Id)
            .Select(r => new { r.Id, r.TenantId, r.Status, r.QueuedAtUtc })
            .ToListAsync(ct);
        return rows.Select(r => (r.Id, r.TenantId, r.Status, r.QueuedAtUtc)).ToList();
    }

    /// <summary>How many tenants a user belongs to, suspended ones included (may a tenant admin disable the account?).</summary>
    public async Task<int> MembershipCountOfUserAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.TenantMemberships.IgnoreQueryFilters().CountAsync(m => m.UserId == userId, ct);
    }

    /// <summary>Members, devices, snapshots and snapshot bytes of every tenant (counts only: the platform page).</summary>
    public async Task<IReadOnlyDictionary<int, TenantUsage>> UsageByTenantAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var members = await db.TenantMemberships.IgnoreQueryFilters().GroupBy(m => m.TenantId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var devices = await db.Devices.IgnoreQueryFilters().GroupBy(d => d.TenantId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var snapshots = await db.Snapshots.IgnoreQueryFilters().GroupBy(s => s.TenantId)
            .Select(g => new { g.Key, Count = g.Count(), Bytes = g.Sum(s => (long)s.SizeBytes) }).ToListAsync(ct);
        var bySnapshots = snapshots.ToDictionary(x => x.Key);
        return members.Keys.Union(devices.Keys).Union(bySnapshots.Keys).ToDictionary(id => id, id => new TenantUsage(
            id,
            members.GetValueOrDefault(id),
            devices.GetValueOrDefault(id),
            bySnapshots.TryGetValue(id, out var s) ? s.Count : 0,
            bySnapshots.TryGetValue(id, out var b) ? b.Bytes : 0));
    }

    /// <summary>
    /// Claims due notification deliveries of any tenant for one dispatcher (<paramref name="claimToken"/>): pending ones
    /// whose time has come, and claims of other instances whose lease expired. Each claim is one conditional UPDATE, so
    /// of two instances racing for a row exactly one wins it.
    /// </summary>
    public async Task<IReadOnlyList<(long Id, int TenantId)>> ClaimNotificationDeliveriesAsync(string claimToken, int max, TimeSpan lease, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = now + lease;
        await using var db = await factory.CreateDbContextAsync(ct);
        var due = db.NotificationDeliveries.IgnoreQueryFilters().Where(d =>
            (d.Status == Domain.Notifications.NotificationDeliveryStatus.Pending && d.NextAttemptAtUtc <= now)
            || (d.Status == Domain.Notifications.NotificationDeliveryStatus.Sending && d.LeaseUntilUtc < now));
        var candidates = await due.OrderBy(d => d.Id).Select(d => new { d.Id, d.TenantId }).Take(max).ToListAsync(ct);
        var claimed = new List<(long, int)>();
        foreach (var c in candidates)
        {
            var n = await due.Where(d => d.Id == c.Id).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, Domain.Notifications.NotificationDeliveryStatus.Sending)
                .SetProperty(d => d.LeaseUntilUtc, until)
                .SetProperty(d => d.ClaimToken, claimToken), ct);
            if (n == 1) claimed.Add((c.Id, c.TenantId));
        }
        return claimed;
    }

    // ---- Scheduling and leases (the planner and the worker act across tenants) ----

    /// <summary>Every schedule and every enabled device of the tenants that are not suspended (the planner's input).</summary>
    public async Task<(IReadOnlyList<BackupSchedule> Schedules, IReadOnlyList<ScheduledDevice> Devices)> SchedulingInputsAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var active = db.Tenants.Where(t => !t.IsSuspended).Select(t => t.Id);
        var schedules = await db.BackupSchedules.IgnoreQueryFilters().AsNoTracking().Where(s => active.Contains(s.TenantId)).ToListAsync(ct);
        var devices = await db.Devices.IgnoreQueryFilters().AsNoTracking()
            .Where(d => d.Enabled && active.Contains(d.TenantId))
            .Select(d => new ScheduledDevice(d.Id, d.TenantId, d.Group, d.CreatedAtUtc, d.UpdatedAtUtc))
            .ToListAsync(ct);
        return (schedules, devices);
    }

    /// <summary>The (device, slot) pairs already served by a run, among the given slots.</summary>
    public async Task<HashSet<(int DeviceId, DateTime Slot)>> PlannedSlotsAsync(IReadOnlyCollection<DateTime> slots, CancellationToken ct = default)
    {
        var set = new HashSet<(int, DateTime)>();
        if (slots.Count == 0) return set;
        await using var db = await factory.CreateDbContextAsync(ct);
        var list = slots.Select(s => (DateTime?)s).ToList();
        var rows = await db.BackupRuns.IgnoreQueryFilters().AsNoTracking()
            .Where(r => r.ScheduledSlotUtc != null && list.Contains(r.ScheduledSlotUtc))
            .Select(r => new { r.DeviceId, r.ScheduledSlotUtc })
            .ToListAsync(ct);
        foreach (var r in rows) set.Add((r.DeviceId, DateTime.SpecifyKind(r.ScheduledSlotUtc!.Value, DateTimeKind.Utc)));
        return set;
    }

    /// <summary>The queued or running run of each of these devices (to join a slot to it, or wait for it).</summary>
    public async Task<IReadOnlyDictionary<int, (long RunId, BackupTrigger Trigger, DateTime? Slot)>> ActiveRunsOfDevicesAsync(IReadOnlyCollection<int> deviceIds, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var ids = deviceIds.Select(i => (int?)i).ToList();
        var rows = await db.BackupRuns.IgnoreQueryFilters().AsNoTracking()
            .Where(r => r.ActiveDeviceId != null && ids.Contains(r.ActiveDeviceId))
            .Select(r => new { r.Id, r.DeviceId, r.Trigger, r.ScheduledSlotUtc })
            .ToListAsync(ct);
        return rows.ToDictionary(r => r.DeviceId, r => (r.Id, r.Trigger, r.ScheduledSlotUtc));
    }

    /// <summary>Deletes up to <paramref name="max"/> sent or failed deliveries (every tenant) completed before <paramref name="beforeUtc"/>: the dispatcher's retention.</summary>
    public async Task<int> DeleteCompletedDeliveriesAsync(DateTime beforeUtc, int max, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var ids = db.NotificationDeliveries.IgnoreQueryFilters()
            .Where(d => (d.Status == Domain.Notifications.NotificationDeliveryStatus.Sent || d.Status == Domain.Notifications.NotificationDeliveryStatus.Failed)
                && d.CompletedAtUtc != null && d.CompletedAtUtc < beforeUtc)
            .OrderBy(d => d.Id)
            .Select(d => d.Id)
            .Take(max);
        return await db.NotificationDeliveries.IgnoreQueryFilters().Where(d => ids.Contains(d.Id)).ExecuteDeleteAsync(ct);
    }

    /// <summary>The latest slot (at or after <paramref name="fromUtc"/>) each of these devices has a run row for: served, joined or recorded missed.</summary>
    public async Task<IReadOnlyDictionary<int, DateTime>> LastServedSlotsAsync(IReadOnlyCollection<int> deviceIds, DateTime fromUtc, CancellationToken ct = default)
    {
        if (deviceIds.Count == 0) return new Dictionary<int, DateTime>();
        await using var db = await factory.CreateDbContextAsync(ct);
        var ids = deviceIds.ToList();
        var rows = await db.BackupRuns.IgnoreQueryFilters().AsNoTracking()
            .Where(r => ids.Contains(r.DeviceId) && r.ScheduledSlotUtc != null && r.ScheduledSlotUtc >= fromUtc)
            .GroupBy(r => r.DeviceId)
            .Select(g => new { DeviceId = g.Key, Slot = g.Max(r => r.ScheduledSlotUtc) })
            .ToListAsync(ct);
        return rows.ToDictionary(r => r.DeviceId, r => DateTime.SpecifyKind(r.Slot!.Value, DateTimeKind.Utc));
    }

    /// <summary>
    /// When the runs serving these (device, slot) pairs finished (null: still running); the latest attempt counts.
    /// Tells a slot missed because the device was still busy from one missed because nothing planned it.
    /// </summary>
    public async Task<IReadOnlyDictionary<(int DeviceId, DateTime Slot), DateTime?>> SlotRunFinishTimesAsync(IReadOnlyCollection<(int DeviceId, DateTime Slot)> pairs, CancellationToken ct = default)
    {
        var result = new Dictionary<(int, DateTime), DateTime?>();
        if (pairs.Count == 0) return result;
        await using var db = await factory.CreateDbContextAsync(ct);
        var ids = pairs.Select(p => p.DeviceId).Distinct().ToList();
        var slots = pairs.Select(p => (DateTime?)p.Slot).Distinct().ToList();
        var rows = await db.BackupRuns.IgnoreQueryFilters().AsNoTracking()
            .Where(r => ids.Contains(r.DeviceId) && slots.Contains(r.ScheduledSlotUtc))
            .OrderBy(r => r.SlotAttempt)
            .Select(r => new { r.DeviceId, r.ScheduledSlotUtc, r.FinishedAtUtc })
            .ToListAsync(ct);
        foreach (var r in rows)
            result[(r.DeviceId, DateTime.SpecifyKind(r.ScheduledSlotUtc!.Value, DateTimeKind.Utc))] =
                r.FinishedAtUtc is { } f ? DateTime.SpecifyKind(f, DateTimeKind.Utc) : null;
        return result;
    }

    /// <summary>The heartbeat: extends this instance's leases on the runs it is executing.</summary>
    public async Task<int> RenewLeasesAsync(IReadOnlyCollection<long> runIds, string owner, DateTime until, CancellationToken ct = default)
    {
        if (runIds.Count == 0) return 0;
        await using var db = await factory.CreateDbContextAsync(ct);
        var ids = runIds.ToList();
        return await db.BackupRuns.IgnoreQueryFilters()
            .Where(r => ids.Contains(r.Id) && r.OwnerInstanceId == owner && r.ActiveDeviceId != null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseExpiresAtUtc, until), ct);
    }

    /// <summary>
    /// Active runs whose lease ran out (their instance stopped renewing it), and runs left collecting without any lease
    /// (claimed before leases existed, or by a direct pipeline call) that started before <paramref name="unleasedStartedBefore"/>.
    /// </summary>
    public async Task<IReadOnlyList<ExpiredRun>> ExpiredLeasesAsync(DateTime now, DateTime unleasedStartedBefore, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.BackupRuns.IgnoreQueryFilters().AsNoTracking()
            .Where(r => r.ActiveDeviceId != null
                && ((r.LeaseExpiresAtUtc != null && r.LeaseExpiresAtUtc < now)
                    || (r.LeaseExpiresAtUtc == null && r.Status != BackupRunStatus.Queued && r.StartedAtUtc < unleasedStartedBefore)))
            .OrderBy(r => r.Id)
            .Take(500)
            .Select(r => new ExpiredRun(r.Id, r.TenantId, r.DeviceId, r.Status, r.Trigger, r.OwnerInstanceId, r.LeaseExpiresAtUtc, r.ScheduledSlotUtc, r.SlotAttempt))
            .ToListAsync(ct);
    }

    /// <summary>Takes an expired lease over (only one sweeper wins: the owner and expiry must still be the ones it saw).</summary>
    public async Task<bool> TakeOverAsync(ExpiredRun run, string owner, DateTime until, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.BackupRuns.IgnoreQueryFilters()
            .Where(r => r.Id == run.RunId && r.ActiveDeviceId != null && r.OwnerInstanceId == run.Owner && r.LeaseExpiresAtUtc == run.LeaseExpiresAtUtc)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.OwnerInstanceId, owner).SetProperty(r => r.LeaseExpiresAtUtc, until), ct) == 1;
    }

    /// <summary>Gives a still-queued run back to every instance (its claimer died before starting it).</summary>
    public async Task<bool> ReleaseQueuedAsync(long runId, string owner, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.BackupRuns.IgnoreQueryFilters()
            .Where(r => r.Id == runId && r.Status == BackupRunStatus.Queued && r.OwnerInstanceId == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.OwnerInstanceId, (string?)null).SetProperty(r => r.LeaseExpiresAtUtc, (DateTime?)null), ct) == 1;
    }
}

/// <summary>An enabled device as the planner sees it.</summary>
/// <summary>A device as the planner sees it; <see cref="UpdatedAtUtc"/> bounds missed-slot records (a re-enabled device's idle time is not "missed").</summary>
public sealed record ScheduledDevice(int Id, int TenantId, string? Group, DateTime CreatedAtUtc, DateTime UpdatedAtUtc);

/// <summary>A run whose lease expired (see <see cref="PlatformQueries.ExpiredLeasesAsync"/>).</summary>
public sealed record ExpiredRun(long RunId, int TenantId, int DeviceId, BackupRunStatus Status, BackupTrigger Trigger, string? Owner,
    DateTime? LeaseExpiresAtUtc, DateTime? ScheduledSlotUtc, int SlotAttempt);
