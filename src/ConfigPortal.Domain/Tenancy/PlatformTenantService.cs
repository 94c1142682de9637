using System.Globalization;
using System.Text.RegularExpressions;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Domain.Tenancy;

/// <summary>How much a tenant holds. Counted across tenants, so only the infrastructure's platform queries answer it.</summary>
public sealed record TenantUsage(int TenantId, int Members, int Devices, int Snapshots, long SnapshotBytes);

/// <summary>Cross-tenant counts for the platform admin (implemented by the infrastructure's PlatformQueries).</summary>
public interface IPlatformUsage
{
    Task<IReadOnlyDictionary<int, TenantUsage>> UsageByTenantAsync(CancellationToken ct = default);
}

public sealed record PlatformTenantView(int Id, string Name, string Slug, bool IsSuspended, DateTime CreatedAt, TenantUsage Usage);

/// <summary>
/// The platform admin's tenant management: create, rename, suspend and resume tenants, see their usage. A platform
/// admin reads no tenant data here (counts only); to work inside a tenant they grant themselves a membership, which is
/// audited in that tenant's chain. Every action is recorded twice: in the platform chain (tenant id 0) and in the
/// tenant's own chain, so the tenant's auditors see what the platform did to their tenant.
/// </summary>
public sealed partial class PlatformTenantService(
    IPortalDbFactory dbFactory,
    IUserDirectory users,
    ICurrentActor actor,
    IPlatformUsage usage,
    IAuditService audit,
    IServiceScopeFactory scopes,
    TimeProvider clock)
{
    public const int PlatformChain = 0;
    public const int MaxNameLength = 100;
    public const int MaxSlugLength = 64;

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();

    /// <summary>Whether the caller is an enabled platform admin (for showing the platform pages).</summary>
    public async Task<bool> IsPlatformAdminAsync(CancellationToken ct = default) =>
        actor.Kind == ActorKind.User && actor.UserId is { } id && await users.FindByIdAsync(id, ct) is { IsPlatformAdmin: true, IsDisabled: false };

    public async Task<IReadOnlyList<PlatformTenantView>> ListAsync(CancellationToken ct = default)
    {
        await DemandAsync("list tenants", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var tenants = await db.Tenants.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        var counts = await usage.UsageByTenantAsync(ct);
        return tenants.Select(t => new PlatformTenantView(t.Id, t.Name, t.Slug, t.IsSuspended, t.CreatedAt,
            counts.TryGetValue(t.Id, out var u) ? u : new TenantUsage(t.Id, 0, 0, 0, 0))).ToList();
    }

    public async Task<int> CreateAsync(string name, string slug, CancellationToken ct = default)
    {
        await DemandAsync("create tenants", ct);
        name = name?.Trim() ?? "";
        slug = slug?.Trim() ?? "";
        await using var db = await dbFactory.CreateAsync(ct);
        var errors = new Dictionary<string, string[]>();
        if (NameError(name) is { } nameError) errors["Name"] = [nameError];
        else if (await NameTakenAsync(db, name, null, ct)) errors["Name"] = [$"A tenant named '{name}' already exists."];
        if (SlugError(slug) is { } slugError) errors["Slug"] = [slugError];
        else if (await db.Tenants.AnyAsync(t => t.Slug == slug, ct)) errors["Slug"] = [$"The slug '{slug}' is taken."];
        if (errors.Count > 0) throw new ValidationException(errors);

        return await db.ExecuteInTransactionAsync(async ct =>
        {
            var tenant = new Tenant { Name = name, Slug = slug, CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.Tenants.Add(tenant);
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateException) { throw ValidationException.For("Name", "A tenant with this name or slug was created meanwhile."); }
            // The tenant's audit chain starts here (its head is created by the first append).
            await audit.AppendAsync(db, Both(tenant.Id, AuditActions.TenantCreated, new { name, slug }), ct);
            return tenant.Id;
        }, ct);
    }

    public async Task RenameAsync(int tenantId, string name, CancellationToken ct = default)
    {
        await DemandAsync("rename tenants", ct);
        name = name?.Trim() ?? "";
        await using var db = await dbFactory.CreateAsync(ct);
        var tenant = await FindAsync(db, tenantId, ct);
        if (NameError(name) is { } nameError) throw ValidationException.For("Name", nameError);
        if (tenant.Name == name) return;
        if (await NameTakenAsync(db, name, tenantId, ct)) throw ValidationException.For("Name", $"A tenant named '{name}' already exists.");

        var before = tenant.Name;
        await db.ExecuteInTransactionAsync(async ct =>
        {
            (await db.Tenants.SingleAsync(t => t.Id == tenantId, ct)).Name = name;
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, Both(tenantId, AuditActions.TenantRenamed, new { before, after = name }), ct);
        }, ct);
    }

    /// <summary>A suspended tenant's members and API tokens get no access (TenantAccess and the token check read the flag).</summary>
    public async Task SetSuspendedAsync(int tenantId, bool suspended, CancellationToken ct = default)
    {
        await DemandAsync(suspended ? "suspend tenants" : "resume tenants", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var tenant = await FindAsync(db, tenantId, ct);
        if (tenant.IsSuspended == suspended) return;
        var tenantName = tenant.Name;
        await db.ExecuteInTransactionAsync(async ct =>
        {
            (await db.Tenants.SingleAsync(t => t.Id == tenantId, ct)).IsSuspended = suspended;
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, Both(tenantId, suspended ? AuditActions.TenantSuspended : AuditActions.TenantResumed, new { Name = tenantName }), ct);
        }, ct);
    }

    /// <summary>
    /// The platform admin joins a tenant (to support it). The membership is written in a scope of that tenant, through
    /// the same tenant-checked SaveChanges as any other, and recorded as <c>platform_membership_granted</c> in the
    /// tenant's chain (and the platform chain).
    /// </summary>
    public async Task GrantSelfMembershipAsync(int tenantId, TenantRole role, CancellationToken ct = default)
    {
        await DemandAsync("grant themselves a membership", ct);
        if (!Enum.IsDefined(role)) throw ValidationException.For("Role", "Choose a role from the list.");
        await using (var db = await dbFactory.CreateAsync(ct))
            await FindAsync(db, tenantId, ct);
        var userId = actor.UserId!;

        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        var tenantActor = scope.ServiceProvider.GetRequiredService<CurrentActor>();
        tenantActor.SetUser(userId, actor.Name, actor.ClientIp, actor.UserAgent);
        tenantActor.CorrelationId = actor.CorrelationId;
        var tenantAudit = scope.ServiceProvider.GetRequiredService<IAuditService>();

        await using var tdb = await scope.ServiceProvider.GetRequiredService<IPortalDbFactory>().CreateAsync(ct);
        var existing = await tdb.TenantMemberships.AsNoTracking().FirstOrDefaultAsync(m => m.UserId == userId, ct);
        if (existing is not null)
            throw ValidationException.For("Role", $"You are already a member of this tenant ({existing.Role}).");
        await tdb.ExecuteInTransactionAsync(async ct =>
        {
            tdb.TenantMemberships.Add(new TenantMembership { TenantId = tenantId, UserId = userId, Role = role, CreatedAt = clock.GetUtcNow().UtcDateTime });
            await tdb.SaveChangesAsync(ct);
            await tenantAudit.AppendAsync(tdb, Both(tenantId, AuditActions.PlatformMembershipGranted, new { userId, user = actor.Name, role = role.ToString() }, "user", userId), ct);
        }, ct);
    }

    private async Task DemandAsync(string operation, CancellationToken ct)
    {
        if (await IsPlatformAdminAsync(ct)) return;
        await audit.RecordAsync(new AuditRecord
        {
            TenantId = PlatformChain,
            Action = AuditActions.AuthorizationDenied,
            ResourceType = "operation",
            ResourceId = operation,
            Outcome = AuditOutcome.Denied,
            Details = new { operation, required = "PlatformAdmin" },
        }, ct);
        throw new AccessDeniedException($"Only platform admins may {operation}.");
    }

    private async Task<Tenant> FindAsync(IPortalDb db, int tenantId, CancellationToken ct)
    {
        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == tenantId, ct);
        if (tenant is not null) return tenant;
        await audit.RecordAsync(new AuditRecord
        {
            TenantId = PlatformChain,
            Action = AuditActions.AuthorizationDenied,
            ResourceType = "tenant",
            ResourceId = tenantId.ToString(CultureInfo.InvariantCulture),
            Outcome = AuditOutcome.Denied,
            Details = new { reason = "not_found" },
        }, ct);
        throw new NotFoundException("tenant", tenantId.ToString(CultureInfo.InvariantCulture));
    }

    private static AuditRecord[] Both(int tenantId, string action, object details, string resourceType = "tenant", string? resourceId = null)
    {
        var id = resourceId ?? tenantId.ToString(CultureInfo.InvariantCulture);
        return
        [
            new AuditRecord { TenantId = PlatformChain, Action = action, ResourceType = resourceType, ResourceId = id, Details = new { tenantId, details } },
            new AuditRecord { TenantId = tenantId, Action = action, ResourceType = resourceType, ResourceId = id, Details = details },
        ];
    }

    private static Task<bool> NameTakenAsync(IPortalDb db, string name, int? exceptId, CancellationToken ct)
    {
        var lower = name.ToLowerInvariant();
        return db.Tenants.AnyAsync(t => t.Name.ToLower() == lower && t.Id != (exceptId ?? 0), ct);
    }

    public static string? NameError(string name)
    {
        if (name.Length == 0) return "Name is required.";
        if (name.Length > MaxNameLength) return $"Name must be at most {MaxNameLength} characters.";
        if (name.Any(char.IsControl)) return "Name must not contain control characters.";
        return null;
    }

    public static string? SlugError(string slug)
    {
        if (slug.Length is < 2 or > MaxSlugLength) return $"Slug must be 2 to {MaxSlugLength} characters.";
        if (!SlugPattern().IsMatch(slug)) return "Slug may contain lower-case letters, digits and single hyphens (e.g. acme-west).";
        return null;
    }
}
