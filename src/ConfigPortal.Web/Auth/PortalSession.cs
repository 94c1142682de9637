using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Persistence;

namespace ConfigPortal.Web.Auth;

/// <summary>What the layout shows about the caller: the active tenant, the role in it, the other tenants.</summary>
public sealed class PortalSession(ICurrentActor actor, ITenantContext tenant, TenantAccess access, PlatformQueries platform, PlatformTenantService platformTenants)
{
    public sealed record TenantChoice(int Id, string Name, TenantRole Role);

    public sealed record Info(string UserName, int? TenantId, string? TenantName, TenantRole? Role, Permission Permissions, IReadOnlyList<TenantChoice> Tenants,
        bool IsPlatformAdmin = false);

    private Info? _info;

    public async Task<Info> GetAsync(bool refresh = false)
    {
        if (_info is not null && !refresh) return _info;
        var grant = await access.GetGrantAsync();
        var tenants = actor.UserId is { } uid
            ? (await platform.MembershipsOfUserAsync(uid)).Select(m => new TenantChoice(m.TenantId, m.TenantName, m.Role)).ToList()
            : [];
        var current = tenants.FirstOrDefault(t => t.Id == tenant.TenantId);
        var platformAdmin = await platformTenants.IsPlatformAdminAsync();
        _info = new Info(actor.Name, tenant.TenantId, current?.Name, grant.Role, grant.Permissions, tenants, platformAdmin);
        return _info;
    }

    public async Task<bool> CanAsync(Permission permission) => ((await GetAsync()).Permissions & permission) == permission;
}
