using System.Globalization;
using System.Security.Claims;
using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Infrastructure.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Web.Auth;

public static class PortalClaims
{
    public const string Tenant = "cp_tenant";
    public const string DisplayName = "cp_name";
    public const string ApiToken = "cp_token";
    public const string Scopes = "cp_scopes";
    public const string PlatformAdmin = "cp_platform_admin";
    /// <summary>Present while the user still has to replace a one-time password.</summary>
    public const string MustChangePassword = "cp_must_change_password";

    public static int? TenantId(this ClaimsPrincipal user) =>
        int.TryParse(user.FindFirstValue(Tenant), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}

/// <summary>Adds the active tenant (a membership the user really holds) and the display name to the sign-in cookie.</summary>
public sealed class PortalClaimsPrincipalFactory(
    UserManager<ApplicationUser> users,
    IOptions<IdentityOptions> options,
    PlatformQueries platform)
    : UserClaimsPrincipalFactory<ApplicationUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(PortalClaims.DisplayName, user.DisplayName ?? user.UserName ?? ""));
        if (user.IsPlatformAdmin) identity.AddClaim(new Claim(PortalClaims.PlatformAdmin, "true"));
        if (user.MustChangePassword) identity.AddClaim(new Claim(PortalClaims.MustChangePassword, "true"));
        var memberships = await platform.MembershipsOfUserAsync(user.Id);
        var active = memberships.FirstOrDefault(m => m.TenantId == user.ActiveTenantId);
        if (active == default && memberships.Count > 0) active = memberships[0];
        if (active != default)
            identity.AddClaim(new Claim(PortalClaims.Tenant, active.TenantId.ToString(CultureInfo.InvariantCulture)));
        return identity;
    }
}
