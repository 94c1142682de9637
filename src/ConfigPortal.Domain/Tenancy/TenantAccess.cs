using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Data;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Tenancy;

/// <summary>The result of an access check: the tenant the caller acts in and what it may do there.</summary>
public sealed record AccessGrant(int TenantId, Permission Permissions, TenantRole? Role);

/// <summary>
/// Authorization in the services, not only in the UI: every service method starts with <see cref="DemandAsync"/>.
/// The role is read from the database on each call, so a revoked membership takes effect at once.
/// </summary>
public sealed class TenantAccess(ITenantContext tenant, ICurrentActor actor, IPortalDbFactory dbFactory, IAuditService audit)
{
    public async Task<AccessGrant> GetGrantAsync(CancellationToken ct = default)
    {
        if (tenant.TenantId is not { } tenantId)
            return new AccessGrant(0, Permission.None, null);

        switch (actor.Kind)
        {
            case ActorKind.System:
                return new AccessGrant(tenantId, RolePermissions.For(TenantRole.TenantAdmin), TenantRole.TenantAdmin);
            case ActorKind.ApiToken:
                return new AccessGrant(tenantId, RolePermissions.ForScopes(actor.TokenScopes), null);
            case ActorKind.User when actor.UserId is { } userId:
                await using (var db = await dbFactory.CreateAsync(ct))
                {
                    var suspended = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.IsSuspended).FirstOrDefaultAsync(ct);
                    if (suspended)
                        return new AccessGrant(tenantId, Permission.None, null);
                    var role = await db.TenantMemberships
                        .Where(m => m.UserId == userId)
                        .Select(m => (TenantRole?)m.Role)
                        .FirstOrDefaultAsync(ct);
                    return new AccessGrant(tenantId, role is { } r ? RolePermissions.For(r) : Permission.None, role);
                }
            default:
                return new AccessGrant(tenantId, Permission.None, null);
        }
    }

    /// <summary>Throws <see cref="AccessDeniedException"/> (and audits the denial) unless the caller holds the permission.</summary>
    public async Task<AccessGrant> DemandAsync(Permission permission, string operation, CancellationToken ct = default)
    {
        var grant = await GetGrantAsync(ct);
        if (grant.TenantId != 0 && (grant.Permissions & permission) == permission)
            return grant;

        await audit.RecordAsync(new AuditRecord
        {
            TenantId = grant.TenantId,
            Action = AuditActions.AuthorizationDenied,
            ResourceType = "operation",
            ResourceId = operation,
            Outcome = AuditOutcome.Denied,
            Details = new { operation, required = permission.ToString(), role = grant.Role?.ToString() },
        }, ct);
        throw new AccessDeniedException($"You do not have permission to {operation}.");
    }

    /// <summary>Records that an id was asked for that the tenant does not hold (another tenant's or none) and throws not-found.</summary>
    public async Task<NotFoundException> NotFoundAsync(string resourceType, object id, CancellationToken ct = default)
    {
        await audit.RecordAsync(new AuditRecord
        {
            TenantId = tenant.TenantId ?? 0,
            Action = AuditActions.AuthorizationDenied,
            ResourceType = resourceType,
            ResourceId = id.ToString(),
            Outcome = AuditOutcome.Denied,
            Details = new { reason = "not_found_in_tenant" },
        }, ct);
        return new NotFoundException(resourceType, id.ToString() ?? "");
    }
}
