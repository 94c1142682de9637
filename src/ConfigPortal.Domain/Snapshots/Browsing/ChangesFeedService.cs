using ConfigPortal.Domain.Configs;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Snapshots.Browsing;

/// <summary>
/// Filters of the Changes feed. Paging is by keyset on the diff id: <see cref="BeforeId"/> gives the page of changes
/// older than that id, <see cref="AfterId"/> the page newer than it; neither gives the newest page.
/// </summary>
public sealed record ChangesFeedQuery(
    int? DeviceId = null,
    string? Group = null,
    string? Vendor = null,
    DateTime? FromUtc = null,
    DateTime? ToUtc = null,
    long? BeforeId = null,
    long? AfterId = null,
    int Take = 50);

/// <summary>One config change of a device: the diff between a snapshot and the one before it.</summary>
/// <param name="Sections">Null for diffs stored before changed sections were recorded.</param>
public sealed record ChangeFeedItem(
    long DiffId,
    int DeviceId,
    string DeviceName,
    string Vendor,
    string? Group,
    long FromSnapshotId,
    long ToSnapshotId,
    DateTime ChangedAtUtc,
    int AddedLines,
    int RemovedLines,
    string Trigger,
    string? TriggeredBy,
    ChangedSectionsSummary? Sections);

/// <summary>A page of the feed, newest first; a cursor is null when there is nothing further that way.</summary>
public sealed record ChangesFeedPage(IReadOnlyList<ChangeFeedItem> Items, long? OlderCursor, long? NewerCursor);

/// <summary>The groups and vendors of the tenant's devices, for the feed's filter lists.</summary>
public sealed record ChangesFeedFilters(IReadOnlyList<string> Groups, IReadOnlyList<(string Id, string Name)> Vendors);

/// <summary>The tenant-wide feed of config changes, newest first, for the Changes page.</summary>
public sealed class ChangesFeedService(IPortalDbFactory dbFactory, TenantAccess access)
{
    public const int MaxTake = 200;

    public async Task<ChangesFeedPage> ListAsync(ChangesFeedQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await access.DemandAsync(Permission.ViewConfigs, "view the changes feed", ct);
        var take = Math.Clamp(query.Take, 1, MaxTake);
        await using var db = await dbFactory.CreateAsync(ct);

        var q = from d in db.SnapshotDiffs.AsNoTracking()
                join dev in db.Devices.AsNoTracking() on d.DeviceId equals dev.Id
                join s in db.Snapshots.AsNoTracking() on d.ToSnapshotId equals s.Id
                select new { Diff = d, Device = dev, To = s };
        if (query.DeviceId is { } deviceId) q = q.Where(x => x.Diff.DeviceId == deviceId);
        if (!string.IsNullOrWhiteSpace(query.Group))
        {
            var group = query.Group.Trim();
            q = q.Where(x => x.Device.Group == group);
        }
        if (!string.IsNullOrWhiteSpace(query.Vendor))
        {
            var vendor = query.Vendor.Trim();
            q = q.Where(x => x.Device.Vendor == vendor);
        }
        if (query.FromUtc is { } from) q = q.Where(x => x.Diff.CreatedAtUtc >= from);
        if (query.ToUtc is { } to) q = q.Where(x => x.Diff.CreatedAtUtc < to);

        var filtered = q;
        var newerFirst = query.AfterId is null;
        if (query.AfterId is { } after)
            q = q.Where(x => x.Diff.Id > after).OrderBy(x => x.Diff.Id);
        else if (query.BeforeId is { } before)
            q = q.Where(x => x.Diff.Id < before).OrderByDescending(x => x.Diff.Id);
        else
            q = q.OrderByDescending(x => x.Diff.Id);

        var rows = await q.Take(take + 1)
            .Select(x => new
            {
                x.Diff.Id, x.Diff.DeviceId, DeviceName = x.Device.Name, x.Device.Vendor, x.Device.Group,
                x.Diff.FromSnapshotId, x.Diff.ToSnapshotId, x.Diff.CreatedAtUtc, x.Diff.AddedLines, x.Diff.RemovedLines,
                x.To.Trigger, x.To.TriggeredBy, x.Diff.ChangedSections,
            })
            .ToListAsync(ct);
        var more = rows.Count > take;
        if (more) rows.RemoveAt(rows.Count - 1);
        if (!newerFirst) rows.Reverse();

        var items = rows.Select(r => new ChangeFeedItem(r.Id, r.DeviceId, r.DeviceName, r.Vendor, r.Group, r.FromSnapshotId, r.ToSnapshotId,
            r.CreatedAtUtc, r.AddedLines, r.RemovedLines, r.Trigger, r.TriggeredBy, ChangeSummaries.Parse(r.ChangedSections))).ToList();
        if (items.Count == 0) return new ChangesFeedPage(items, null, null);

        var newest = items[0].DiffId;
        var oldest = items[^1].DiffId;
        bool hasOlder, hasNewer;
        if (newerFirst)
        {
            hasOlder = more;
            hasNewer = query.BeforeId is not null && await filtered.AnyAsync(x => x.Diff.Id > newest, ct);
        }
        else
        {
            hasNewer = more;
            hasOlder = await filtered.AnyAsync(x => x.Diff.Id < oldest, ct);
        }
        return new ChangesFeedPage(items, hasOlder ? oldest : null, hasNewer ? newest : null);
    }

    /// <summary>The tenant's device groups and the vendors in use, for filter lists.</summary>
    public async Task<ChangesFeedFilters> FiltersAsync(CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewConfigs, "view the changes feed", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var groups = await db.Devices.AsNoTracking().Where(d => d.Group != null).Select(d => d.Group!).Distinct().OrderBy(g => g).ToListAsync(ct);
        var vendors = await db.Devices.AsNoTracking().Select(d => d.Vendor).Distinct().ToListAsync(ct);
        return new ChangesFeedFilters(groups,
            vendors.Select(v => (v, VendorProfiles.Find(v)?.DisplayName ?? v)).OrderBy(v => v.Item2, StringComparer.OrdinalIgnoreCase).ToList());
    }
}
