using System.Globalization;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Snapshots.Diffing;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Snapshots;

public sealed record SnapshotListItem(
    long Id,
    int DeviceId,
    DateTime FirstSeenAtUtc,
    DateTime LastSeenAtUtc,
    int SeenCount,
    int SizeBytes,
    int LineCount,
    int AddedLines,
    int RemovedLines,
    long? PreviousSnapshotId,
    string Trigger,
    string? TriggeredBy,
    string CompareHash);

public sealed record SnapshotText(SnapshotListItem Snapshot, string DeviceName, string Vendor, string Text);

/// <summary>Two snapshots of one device and the line diff between them.</summary>
public sealed record SnapshotComparison(
    SnapshotListItem From,
    SnapshotListItem To,
    string DeviceName,
    LineDiffResult Diff);

public sealed class SnapshotService(IPortalDbFactory dbFactory, TenantAccess access, IAuditService audit)
{
    public async Task<PagedResult<SnapshotListItem>> ListAsync(int deviceId, int skip, int take, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewConfigs, "view snapshots", ct);
        take = Math.Clamp(take, 1, 500);
        await using var db = await dbFactory.CreateAsync(ct);
        var device = await db.Devices.AsNoTracking().Where(d => d.Id == deviceId).Select(d => new { d.SnapshotCount }).FirstOrDefaultAsync(ct)
            ?? throw await access.NotFoundAsync("device", deviceId, ct);
        var rows = await db.Snapshots.AsNoTracking()
            .Where(s => s.DeviceId == deviceId)
            .OrderByDescending(s => s.Id)
            .Skip(Math.Max(0, skip)).Take(take)
            .Select(Projection)
            .ToListAsync(ct);
        return new PagedResult<SnapshotListItem>(rows, device.SnapshotCount);
    }

    public async Task<SnapshotText> GetTextAsync(long snapshotId, bool forDownload = false, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ViewConfigs, "view snapshots", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var snap = await db.Snapshots.AsNoTracking().Where(s => s.Id == snapshotId).Select(Projection).FirstOrDefaultAsync(ct)
            ?? throw await access.NotFoundAsync("snapshot", snapshotId, ct);
        var device = await db.Devices.AsNoTracking().Where(d => d.Id == snap.DeviceId).Select(d => new { d.Name, d.Vendor }).SingleAsync(ct);
        var text = await LoadTextAsync(db, snapshotId, ct);
        if (forDownload)
        {
            await audit.RecordAsync(new AuditRecord
            {
                TenantId = grant.TenantId,
                Action = AuditActions.SnapshotDownloaded,
                ResourceType = "snapshot",
                ResourceId = snapshotId.ToString(CultureInfo.InvariantCulture),
                DeviceId = snap.DeviceId,
                DeviceName = device.Name,
                Details = new { snapshotId, sizeBytes = snap.SizeBytes },
            }, ct);
        }
        return new SnapshotText(snap, device.Name, device.Vendor, text);
    }

    /// <summary>
    /// Compares two snapshots of one device. With no ids: the latest against the one before it. Both ids must belong
    /// to the same device of the caller's tenant. Pass <c>IgnoreLines: []</c> in the options to hide changes of the
    /// device vendor's ignore lines (they are filled in here).
    /// </summary>
    public async Task<SnapshotComparison?> CompareAsync(int deviceId, long? fromId, long? toId, DiffOptions? options = null, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewConfigs, "compare snapshots", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var device = await db.Devices.AsNoTracking().Where(d => d.Id == deviceId).Select(d => new { d.Name, d.Vendor }).FirstOrDefaultAsync(ct)
            ?? throw await access.NotFoundAsync("device", deviceId, ct);
        var deviceName = device.Name;

        SnapshotListItem? to = toId is { } t
            ? await db.Snapshots.AsNoTracking().Where(s => s.Id == t && s.DeviceId == deviceId).Select(Projection).FirstOrDefaultAsync(ct)
              ?? throw await access.NotFoundAsync("snapshot", t, ct)
            : await db.Snapshots.AsNoTracking().Where(s => s.DeviceId == deviceId).OrderByDescending(s => s.Id).Select(Projection).FirstOrDefaultAsync(ct);
        if (to is null) return null;

        SnapshotListItem? from;
        if (fromId is { } f)
        {
            from = await db.Snapshots.AsNoTracking().Where(s => s.Id == f && s.DeviceId == deviceId).Select(Projection).FirstOrDefaultAsync(ct)
                ?? throw await access.NotFoundAsync("snapshot", f, ct);
        }
        else
        {
            from = await db.Snapshots.AsNoTracking().Where(s => s.DeviceId == deviceId && s.Id < to.Id).OrderByDescending(s => s.Id).Select(Projection).FirstOrDefaultAsync(ct);
            if (from is null) return null;
        }

        var oldText = await LoadTextAsync(db, from.Id, ct);
        var newText = await LoadTextAsync(db, to.Id, ct);
        if (options is { IgnoreLines: { Count: 0 } } && Configs.VendorProfiles.Find(device.Vendor) is { } profile)
            options = options with { IgnoreLines = profile.IgnoreFilters };
        return new SnapshotComparison(from, to, deviceName, LineDiffer.Diff(oldText, newText, options));
    }

    /// <summary>The unified diff (applies with patch) between two snapshots of one device.</summary>
    public async Task<string> GetUnifiedDiffAsync(int deviceId, long fromId, long toId, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ViewConfigs, "download diffs", ct);
        var cmp = await CompareAsync(deviceId, fromId, toId, null, ct)
            ?? throw await access.NotFoundAsync("snapshot", toId, ct);
        await audit.RecordAsync(new AuditRecord
        {
            TenantId = grant.TenantId,
            Action = AuditActions.DiffDownloaded,
            ResourceType = "snapshot",
            ResourceId = toId.ToString(CultureInfo.InvariantCulture),
            DeviceId = deviceId,
            DeviceName = cmp.DeviceName,
            Details = new { fromSnapshotId = fromId, toSnapshotId = toId, added = cmp.Diff.Added, removed = cmp.Diff.Removed },
        }, ct);
        return UnifiedDiff.Write(cmp.Diff, $"a/{cmp.DeviceName}", $"b/{cmp.DeviceName}");
    }

    /// <summary>Decodes a snapshot's stored text (config search uses it too).</summary>
    internal static Task<string> LoadTextAsync(IPortalDb db, long snapshotId, CancellationToken ct) =>
        SnapshotContentStore.LoadTextAsync(db, snapshotId, ct);

    private static readonly System.Linq.Expressions.Expression<Func<Snapshot, SnapshotListItem>> Projection = s => new SnapshotListItem(
        s.Id, s.DeviceId, s.FirstSeenAtUtc, s.LastSeenAtUtc, s.SeenCount, s.SizeBytes, s.LineCount, s.AddedLines, s.RemovedLines,
        s.PreviousSnapshotId, s.Trigger, s.TriggeredBy, s.CompareHash);
}
