using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Audit;

/// <summary>The audit grid's filters; the same object serves the UI and the API.</summary>
public sealed record AuditFilter
{
    public DateTime? FromUtc { get; init; }
    public DateTime? ToUtc { get; init; }
    public IReadOnlyList<string>? Actions { get; init; }
    public string? Actor { get; init; }
    public int? DeviceId { get; init; }
    public AuditOutcome? Outcome { get; init; }
    public string? ResourceType { get; init; }
    public string? ClientIp { get; init; }
    public string? Text { get; init; }
    public string? CorrelationId { get; init; }
    public bool OldestFirst { get; init; }
}

public sealed record AuditEntryView(
    long Sequence,
    DateTime TimestampUtc,
    ActorKind ActorKind,
    string? ActorId,
    string ActorName,
    string Action,
    string? ResourceType,
    string? ResourceId,
    int? DeviceId,
    string? DeviceName,
    string? ClientIp,
    string? UserAgent,
    string? CorrelationId,
    AuditOutcome Outcome,
    string DetailsJson,
    string PreviousHash,
    string Hash);

/// <summary>One bar of the audit timeline: the events from <see cref="StartUtc"/> to the next hour or day.</summary>
public sealed record AuditTimelineBucket(DateTime StartUtc, int Count);

/// <summary>A page of entries; <see cref="NextBeforeSequence"/> continues with keyset paging.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntryView> Items, int? TotalCount, long? NextBeforeSequence);

public sealed class AuditQueryService(IPortalDbFactory dbFactory, TenantAccess access)
{
    public const int MaxPageSize = 500;

    /// <summary>Offset page for the grid (with total count).</summary>
    public async Task<AuditPage> QueryAsync(AuditFilter filter, int skip, int take, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewAudit, "read the audit log", ct);
        take = Math.Clamp(take, 1, MaxPageSize);
        await using var db = await dbFactory.CreateAsync(ct);
        var q = Apply(db, filter);
        var total = await q.CountAsync(ct);
        q = filter.OldestFirst ? q.OrderBy(e => e.Sequence) : q.OrderByDescending(e => e.Sequence);
        var rows = await q.Skip(Math.Max(0, skip)).Take(take).Select(Projection).ToListAsync(ct);
        return new AuditPage(rows, total, rows.Count == take ? rows[^1].Sequence : null);
    }

    /// <summary>Keyset page (newest first): entries with a sequence below <paramref name="beforeSequence"/>.</summary>
    public async Task<AuditPage> QueryKeysetAsync(AuditFilter filter, long? beforeSequence, int take, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewAudit, "read the audit log", ct);
        take = Math.Clamp(take, 1, MaxPageSize);
        await using var db = await dbFactory.CreateAsync(ct);
        var q = Apply(db, filter);
        if (beforeSequence is { } before) q = q.Where(e => e.Sequence < before);
        var rows = await q.OrderByDescending(e => e.Sequence).Take(take).Select(Projection).ToListAsync(ct);
        return new AuditPage(rows, null, rows.Count == take ? rows[^1].Sequence : null);
    }

    /// <summary>
    /// A grid page with total count. With <paramref name="anchorBeforeSequence"/> (newest first only) the page is read by
    /// keyset, so page N costs what page 1 costs; without it the page is read by offset (<paramref name="pageIndex"/> × size).
    /// </summary>
    public async Task<AuditPage> QueryPageAsync(AuditFilter filter, int pageIndex, int pageSize, long? anchorBeforeSequence, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewAudit, "read the audit log", ct);
        var take = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateAsync(ct);
        var q = Apply(db, filter);
        var total = await q.CountAsync(ct);
        List<AuditEntryView> rows;
        if (anchorBeforeSequence is { } before && !filter.OldestFirst)
        {
            rows = await q.Where(e => e.Sequence < before).OrderByDescending(e => e.Sequence).Take(take).Select(Projection).ToListAsync(ct);
        }
        else
        {
            q = filter.OldestFirst ? q.OrderBy(e => e.Sequence) : q.OrderByDescending(e => e.Sequence);
            rows = await q.Skip(Math.Max(0, pageIndex) * take).Take(take).Select(Projection).ToListAsync(ct);
        }
        return new AuditPage(rows, total, rows.Count == take ? rows[^1].Sequence : null);
    }

    /// <summary>The timeline counts per hour when the filter's range is at most this long, per day otherwise.</summary>
    public static readonly TimeSpan HourlyTimelineRange = TimeSpan.FromDays(2);

    /// <summary>Daily timelines show at most this many days (the last ones of the range).</summary>
    public const int MaxTimelineDays = 60;

    /// <summary>Whether <see cref="TimelineAsync"/> counts per hour for this filter.</summary>
    public static bool IsHourlyTimeline(AuditFilter filter, DateTime? nowUtc = null) =>
        filter.FromUtc is { } from && (filter.ToUtc ?? nowUtc ?? DateTime.UtcNow) - from <= HourlyTimelineRange;

    /// <summary>
    /// Events per hour (range ≤ 2 days) or per day for the filter, counted in SQL by bucket, oldest bucket first.
    /// Daily timelines cover at most the last <see cref="MaxTimelineDays"/> days of the range.
    /// </summary>
    public async Task<IReadOnlyList<AuditTimelineBucket>> TimelineAsync(AuditFilter filter, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewAudit, "read the audit log", ct);
        var now = DateTime.UtcNow;
        var hourly = IsHourlyTimeline(filter, now);
        if (!hourly)
        {
            var end = filter.ToUtc ?? now;
            var capFrom = DateTime.SpecifyKind(end.Date.AddDays(1 - MaxTimelineDays), DateTimeKind.Utc);
            if (filter.FromUtc is not { } from || from < capFrom) filter = filter with { FromUtc = capFrom };
        }
        await using var db = await dbFactory.CreateAsync(ct);
        var q = Apply(db, filter);
        List<AuditTimelineBucket> buckets;
        if (hourly)
        {
            var rows = await q.GroupBy(e => new { e.TimestampUtc.Date, e.TimestampUtc.Hour })
                .Select(g => new { g.Key.Date, g.Key.Hour, Count = g.Count() }).ToListAsync(ct);
            buckets = rows.Select(r => new AuditTimelineBucket(DateTime.SpecifyKind(r.Date.AddHours(r.Hour), DateTimeKind.Utc), r.Count)).ToList();
        }
        else
        {
            var rows = await q.GroupBy(e => e.TimestampUtc.Date).Select(g => new { Date = g.Key, Count = g.Count() }).ToListAsync(ct);
            buckets = rows.Select(r => new AuditTimelineBucket(DateTime.SpecifyKind(r.Date, DateTimeKind.Utc), r.Count)).ToList();
        }
        return buckets.OrderBy(b => b.StartUtc).ToList();
    }

    public async Task<IReadOnlyList<string>> ResourceTypesAsync(CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewAudit, "read the audit log", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        return await db.AuditEntries.AsNoTracking().Where(e => e.ResourceType != null).Select(e => e.ResourceType!).Distinct().OrderBy(n => n).Take(500).ToListAsync(ct);
    }

    public async Task<IReadOnlyList<string>> ActorsAsync(CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewAudit, "read the audit log", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        return await db.AuditEntries.AsNoTracking().Select(e => e.ActorName).Distinct().OrderBy(n => n).Take(500).ToListAsync(ct);
    }

    /// <summary>SQLite FTS5 index over details, actor and device name (created by the AuditFullText migration).</summary>
    internal const string FtsTable = "AuditEntriesFts";

    internal static IQueryable<AuditEntry> Apply(IPortalDb db, AuditFilter f) => Apply(db.AuditEntries.AsNoTracking(), f, db.Database, db.AuditEntries.AsNoTracking());

    /// <param name="bounds">
    /// The tenant's entries, to translate a time window into the sequence range it covers: the first entry at or after
    /// From and the last before To are two index seeks on (TenantId, TimestampUtc, Sequence), and the page is then read
    /// along a sequence index (the grid's order, no sort of the window's rows). Timestamps never go back along a chain
    /// (AuditService), so the range holds exactly the window's entries; the time conditions stay as well, so an entry
    /// outside the window is never returned even where an older chain broke that order.
    /// </param>
    internal static IQueryable<AuditEntry> Apply(IQueryable<AuditEntry> q, AuditFilter f, Microsoft.EntityFrameworkCore.Infrastructure.DatabaseFacade? database = null, IQueryable<AuditEntry>? bounds = null)
    {
        if (f.FromUtc is { } from)
        {
            q = q.Where(e => e.TimestampUtc >= from);
            if (bounds is not null)
                q = q.Where(e => e.Sequence >= bounds.Where(b => b.TimestampUtc >= from)
                    .OrderBy(b => b.TimestampUtc).ThenBy(b => b.Sequence).Select(b => (long?)b.Sequence).FirstOrDefault());
        }
        if (f.ToUtc is { } to)
        {
            q = q.Where(e => e.TimestampUtc < to);
            if (bounds is not null)
                q = q.Where(e => e.Sequence <= bounds.Where(b => b.TimestampUtc < to)
                    .OrderByDescending(b => b.TimestampUtc).ThenByDescending(b => b.Sequence).Select(b => (long?)b.Sequence).FirstOrDefault());
        }
        if (f.Actions is { Count: > 0 } actions)
        {
            var list = actions.ToList();
            q = q.Where(e => list.Contains(e.Action));
        }
        if (!string.IsNullOrWhiteSpace(f.Actor)) q = q.Where(e => e.ActorName == f.Actor.Trim());
        if (f.DeviceId is { } deviceId) q = q.Where(e => e.DeviceId == deviceId);
        if (f.Outcome is { } outcome) q = q.Where(e => e.Outcome == outcome);
        if (!string.IsNullOrWhiteSpace(f.ResourceType)) q = q.Where(e => e.ResourceType == f.ResourceType.Trim());
        if (!string.IsNullOrWhiteSpace(f.ClientIp)) q = q.Where(e => e.ClientIp == f.ClientIp.Trim());
        if (!string.IsNullOrWhiteSpace(f.CorrelationId)) q = q.Where(e => e.CorrelationId == f.CorrelationId.Trim());
        if (!string.IsNullOrWhiteSpace(f.Text))
        {
            var t = f.Text.Trim();
            if (database.IsSqliteProvider() && FtsPhrase(t) is { } phrase)
            {
                // Full-text: the words of the search as one phrase (FTS5 tokenizes on punctuation, so "core-sw1"
                // finds "core-sw1"); an index lookup instead of scanning every row's details.
                var ids = database.SqlQuery<long>($"SELECT rowid AS \"Value\" FROM \"AuditEntriesFts\" WHERE \"AuditEntriesFts\" MATCH {phrase}");
                q = q.Where(e => ids.Contains(e.Id));
            }
            else
            {
                q = q.Where(e => e.DetailsJson.Contains(t) || e.ActorName.Contains(t) || (e.DeviceName != null && e.DeviceName.Contains(t))
                    || (e.ResourceId != null && e.ResourceId.Contains(t)) || e.Action.Contains(t));
            }
        }
        return q;
    }

    /// <summary>A user's text as an FTS5 phrase query; null when it has no word characters to search for.</summary>
    internal static string? FtsPhrase(string text)
    {
        if (!text.Any(char.IsLetterOrDigit)) return null;
        return "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private static readonly System.Linq.Expressions.Expression<Func<AuditEntry, AuditEntryView>> Projection = e => new AuditEntryView(
        e.Sequence, e.TimestampUtc, e.ActorKind, e.ActorId, e.ActorName, e.Action, e.ResourceType, e.ResourceId, e.DeviceId, e.DeviceName,
        e.ClientIp, e.UserAgent, e.CorrelationId, e.Outcome, e.DetailsJson, e.PreviousHash, e.Hash);
}
