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
    LineDiffResult Diff)
{
    /// <summary>The device vendor's config syntax (<c>VendorProfile.Syntax</c>), for section labels.</summary>
    public string? Syntax { get; init; }
}

/// <summary>One side of a section comparison: the device, the snapshot read and the section's lines in it.</summary>
public sealed record SectionSide(int DeviceId, string DeviceName, string Vendor, SnapshotListItem Snapshot, SectionSlice Slice);

/// <summary>The same configuration section of two devices (or two snapshots) and the line diff between them.</summary>
public sealed record SectionComparison(string Section, SectionSide Left, SectionSide Right, LineDiffResult Diff, string? Syntax);

/// <summary>The sections of one snapshot of a device (the latest when none was asked for); no snapshot yet: none.</summary>
public sealed record DeviceSections(int DeviceId, string DeviceName, SnapshotListItem? Snapshot, IReadOnlyList<string> Sections);

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
        return new SnapshotComparison(from, to, deviceName, LineDiffer.Diff(oldText, newText, options))
        {
            Syntax = Configs.VendorProfiles.Find(device.Vendor)?.Syntax,
        };
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
    /// <summary>The configuration sections of a snapshot of a device (the latest when <paramref name="snapshotId"/> is null).</summary>
    public async Task<DeviceSections> GetSectionsAsync(int deviceId, long? snapshotId = null, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewConfigs, "view snapshots", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var (name, vendor, snap) = await ResolveSnapshotAsync(db, deviceId, snapshotId, ct);
        if (snap is null) return new DeviceSections(deviceId, name, null, []);
        var lines = LineDiffer.SplitLines(await LoadTextAsync(db, snap.Id, ct));
        var sections = ConfigSections.Resolve(lines, Configs.VendorProfiles.Find(vendor)?.Syntax);
        return new DeviceSections(deviceId, name, snap, SectionLines.Distinct(sections));
    }

    /// <summary>
    /// Compares one configuration section (with its nested blocks) of two devices of the caller's tenant, e.g.
    /// <c>interface GigabitEthernet0/1</c> of two core switches: each side is read from the given snapshot or the
    /// device's latest and cut with <see cref="ConfigSections"/> per the device's vendor syntax. A side without the
    /// section diffs as empty. Null when either device has no snapshot yet. Pass <c>IgnoreLines: []</c> to hide
    /// changes of the vendors' ignore lines.
    /// </summary>
    public async Task<SectionComparison?> CompareSectionAsync(int deviceId, int otherDeviceId, string section,
        long? snapshotId = null, long? otherSnapshotId = null, DiffOptions? options = null, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewConfigs, "compare snapshots", ct);
        if (string.IsNullOrWhiteSpace(section) || section.Length > 1000)
            throw new ValidationException(new Dictionary<string, string[]> { ["section"] = ["Pick a section (at most 1000 characters)."] });
        await using var db = await dbFactory.CreateAsync(ct);
        var (leftName, leftVendor, leftSnap) = await ResolveSnapshotAsync(db, deviceId, snapshotId, ct);
        var (rightName, rightVendor, rightSnap) = await ResolveSnapshotAsync(db, otherDeviceId, otherSnapshotId, ct);
        if (leftSnap is null || rightSnap is null) return null;

        var leftProfile = Configs.VendorProfiles.Find(leftVendor);
        var rightProfile = Configs.VendorProfiles.Find(rightVendor);
        SectionSlice Cut(string text, Configs.VendorProfile? profile)
        {
            var lines = LineDiffer.SplitLines(text);
            return SectionLines.Extract(lines, ConfigSections.Resolve(lines, profile?.Syntax), section);
        }
        var left = Cut(await LoadTextAsync(db, leftSnap.Id, ct), leftProfile);
        var right = Cut(await LoadTextAsync(db, rightSnap.Id, ct), rightProfile);
        if (options is { IgnoreLines: { Count: 0 } })
            options = options with { IgnoreLines = [.. leftProfile?.IgnoreFilters ?? [], .. rightProfile?.IgnoreFilters ?? []] };
        return new SectionComparison(section,
            new SectionSide(deviceId, leftName, leftVendor, leftSnap, left),
            new SectionSide(otherDeviceId, rightName, rightVendor, rightSnap, right),
            LineDiffer.Diff(left.Lines, right.Lines, options),
            leftProfile?.Syntax);
    }

    /// <summary>A device of the caller's tenant and one of its snapshots (the latest when no id is given).</summary>
    private async Task<(string Name, string Vendor, SnapshotListItem? Snapshot)> ResolveSnapshotAsync(IPortalDb db, int deviceId, long? snapshotId, CancellationToken ct)
    {
        var device = await db.Devices.AsNoTracking().Where(d => d.Id == deviceId).Select(d => new { d.Name, d.Vendor }).FirstOrDefaultAsync(ct)
            ?? throw await access.NotFoundAsync("device", deviceId, ct);
        var snap = snapshotId is { } id
            ? await db.Snapshots.AsNoTracking().Where(s => s.Id == id && s.DeviceId == deviceId).Select(Projection).FirstOrDefaultAsync(ct)
              ?? throw await access.NotFoundAsync("snapshot", id, ct)
            : await db.Snapshots.AsNoTracking().Where(s => s.DeviceId == deviceId).OrderByDescending(s => s.Id).Select(Projection).FirstOrDefaultAsync(ct);
        return (device.Name, device.Vendor, snap);
    }

    private static readonly System.Linq.Expressions.Expression<Func<Snapshot, SnapshotListItem>> Projection = s => new SnapshotListItem(
        s.Id, s.DeviceId, s.FirstSeenAtUtc, s.LastSeenAtUtc, s.SeenCount, s.SizeBytes, s.LineCount, s.AddedLines, s.RemovedLines,
        s.PreviousSnapshotId, s.Trigger, s.TriggeredBy, s.CompareHash);
}
