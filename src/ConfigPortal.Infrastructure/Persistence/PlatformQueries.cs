using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Backups;
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
}
