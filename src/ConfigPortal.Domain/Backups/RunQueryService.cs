using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Backups;

/// <summary>The status filter of the Runs page: one status, or every run not finished yet.</summary>
public enum RunStatusFilter
{
    /// <summary>Queued, collecting or processing.</summary>
    Active = 1,
    Queued = 2,
    Collecting = 3,
    Processing = 4,
    Succeeded = 5,
    Failed = 6,
    /// <summary>Schedule slots recorded as missed (never ran).</summary>
    Skipped = 7,
}

/// <summary>The Runs page's filters; the same object serves the per-device history and the API.</summary>
public sealed record RunFilter
{
    /// <summary>Runs queued at or after this time.</summary>
    public DateTime? FromUtc { get; init; }
    /// <summary>Runs queued before this time.</summary>
    public DateTime? ToUtc { get; init; }
    public int? DeviceId { get; init; }
    public string? Group { get; init; }
    public BackupTrigger? Trigger { get; init; }
    public RunStatusFilter? Status { get; init; }
    public RunOutcome? Outcome { get; init; }
    public FailureKind? FailureKind { get; init; }
    /// <summary>The runs of one bulk request (the ones it queued and the ones it joined).</summary>
    public long? BulkId { get; init; }
}

/// <summary>A row of the Runs grid and of a device's run history.</summary>
public sealed record RunListItem(
    long Id,
    int DeviceId,
    string DeviceName,
    string? DeviceGroup,
    BackupTrigger Trigger,
    long? BulkId,
    string RequestedBy,
    BackupRunStatus Status,
    RunOutcome? Outcome,
    FailureKind? FailureKind,
    string? Message,
    DateTime QueuedAtUtc,
    DateTime? StartedAtUtc,
    DateTime? FinishedAtUtc,
    long? SnapshotId)
{
    public bool IsFinished => Status.IsFinished();

    /// <summary>From the start of collection to the end (null until both are known).</summary>
    public TimeSpan? Duration => StartedAtUtc is { } s && FinishedAtUtc is { } f ? f - s : null;

    /// <summary>The row after a live change of its run (the notifier's view carries the run's own fields only).</summary>
    public RunListItem With(BackupRunView run) => this with
    {
        Status = run.Status, Outcome = run.Outcome, FailureKind = run.FailureKind, Message = run.Message,
        StartedAtUtc = run.StartedAtUtc, FinishedAtUtc = run.FinishedAtUtc, SnapshotId = run.SnapshotId,
    };
}

/// <summary>A page of runs. <see cref="TotalIsCapped"/>: more than <see cref="RunQueryService.CountCap"/> runs match.</summary>
public sealed record RunPage(IReadOnlyList<RunListItem> Items, int TotalCount, bool TotalIsCapped, long? NextBeforeId);

/// <summary>
/// Reads backup runs across the tenant with filters and server paging, for the Runs page, the device page's run history
/// and <c>GET /api/v1/runs</c>. Newest first by id (ids grow with the queue time). Indexes of the RunsGrid migration back
/// each filter.
/// </summary>
public sealed class RunQueryService(IPortalDbFactory dbFactory, TenantAccess access)
{
    public const int MaxPageSize = 200;

    /// <summary>Counting stops here: a grid does not need to know it is 2,417,330 rows rather than "more than 10,000".</summary>
    public const int CountCap = 10_000;

    /// <summary>
    /// A grid page with its total (capped at <see cref="CountCap"/>). With <paramref name="anchorBeforeId"/> (the last id of
    /// the previous page) the page is read by keyset, so page N costs what page 1 costs; without it by offset.
    /// </summary>
    public async Task<RunPage> QueryPageAsync(RunFilter filter, int pageIndex, int pageSize, long? anchorBeforeId, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewDevices, "view backup runs", ct);
        var take = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateAsync(ct);
        var q = Apply(db, filter);
        var counted = await q.Select(r => r.Id).Take(CountCap + 1).CountAsync(ct);
        var ordered = anchorBeforeId is { } before
            ? q.Where(r => r.Id < before).OrderByDescending(r => r.Id)
            : q.OrderByDescending(r => r.Id).Skip(Math.Max(0, pageIndex) * take);
        var rows = await Project(db, ordered.Take(take)).ToListAsync(ct);
        return new RunPage(rows, Math.Min(counted, CountCap), counted > CountCap, rows.Count == take ? rows[^1].Id : null);
    }

    /// <summary>Keyset page without a count (the API): runs with an id below <paramref name="beforeId"/>, newest first.</summary>
    public async Task<RunPage> QueryKeysetAsync(RunFilter filter, long? beforeId, int take, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewDevices, "view backup runs", ct);
        take = Math.Clamp(take, 1, MaxPageSize);
        await using var db = await dbFactory.CreateAsync(ct);
        var q = Apply(db, filter);
        if (beforeId is { } before) q = q.Where(r => r.Id < before);
        var rows = await Project(db, q.OrderByDescending(r => r.Id).Take(take)).ToListAsync(ct);
        return new RunPage(rows, rows.Count, false, rows.Count == take ? rows[^1].Id : null);
    }

    /// <summary>The device groups of the tenant, for the group filter and "back up a group".</summary>
    public async Task<IReadOnlyList<string>> GroupsAsync(CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewDevices, "view backup runs", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        return await db.Devices.AsNoTracking().Where(d => d.Group != null).Select(d => d.Group!).Distinct().OrderBy(g => g).Take(500).ToListAsync(ct);
    }

    internal static IQueryable<BackupRun> Apply(IPortalDb db, RunFilter f)
    {
        var q = db.BackupRuns.AsNoTracking();
        if (f.FromUtc is { } from) q = q.Where(r => r.QueuedAtUtc >= from);
        if (f.ToUtc is { } to) q = q.Where(r => r.QueuedAtUtc < to);
        if (f.DeviceId is { } deviceId) q = q.Where(r => r.DeviceId == deviceId);
        if (DeviceService.NormalizeGroup(f.Group) is { } group)
        {
            var ids = db.Devices.Where(d => d.Group == group).Select(d => d.Id);
            q = q.Where(r => ids.Contains(r.DeviceId));
        }
        if (f.Trigger is { } trigger) q = q.Where(r => r.Trigger == trigger);
        q = f.Status switch
        {
            RunStatusFilter.Active => q.Where(r => r.ActiveDeviceId != null),
            RunStatusFilter.Queued => q.Where(r => r.Status == BackupRunStatus.Queued),
            RunStatusFilter.Collecting => q.Where(r => r.Status == BackupRunStatus.Collecting),
            RunStatusFilter.Processing => q.Where(r => r.Status == BackupRunStatus.Processing),
            RunStatusFilter.Succeeded => q.Where(r => r.Status == BackupRunStatus.Succeeded),
            RunStatusFilter.Failed => q.Where(r => r.Status == BackupRunStatus.Failed),
            RunStatusFilter.Skipped => q.Where(r => r.Status == BackupRunStatus.Skipped),
            _ => q,
        };
        if (f.Outcome is { } outcome) q = q.Where(r => r.Outcome == outcome);
        if (f.FailureKind is { } kind) q = q.Where(r => r.FailureKind == kind);
        if (f.BulkId is { } bulkId)
        {
            var runIds = db.BulkBackupItems.Where(i => i.BulkRequestId == bulkId && i.RunId != null).Select(i => i.RunId!.Value);
            q = q.Where(r => runIds.Contains(r.Id));
        }
        return q;
    }

    private static IQueryable<RunListItem> Project(IPortalDb db, IQueryable<BackupRun> page) =>
        from r in page
        join d in db.Devices on r.DeviceId equals d.Id
        orderby r.Id descending
        select new RunListItem(r.Id, r.DeviceId, d.Name, d.Group, r.Trigger,
            db.BulkBackupItems.Where(i => i.RunId == r.Id && !i.Joined).Select(i => (long?)i.BulkRequestId).FirstOrDefault(),
            r.RequestedByName, r.Status, r.Outcome, r.FailureKind, r.Message, r.QueuedAtUtc, r.StartedAtUtc, r.FinishedAtUtc, r.SnapshotId);
}
