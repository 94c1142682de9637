using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Infrastructure.Persistence;

namespace ConfigPortal.Web.Auth;

/// <summary>
/// Audit entries of the account pages (sign-in, two-factor, password). The user is often not signed in yet, so the
/// actor and the tenant come from the user record: the active tenant, else the first membership, else the platform
/// chain (tenant 0). Never records a password, a code or a key.
/// </summary>
public sealed class AccountAudit(IAuditService audit, PlatformQueries platform, IHttpContextAccessor http)
{
    public async Task RecordAsync(ApplicationUser? user, string action, AuditOutcome outcome, object? details = null, string? attemptedName = null)
    {
        var tenantId = 0;
        if (user is not null)
        {
            var memberships = await platform.MembershipsOfUserAsync(user.Id);
            tenantId = memberships.FirstOrDefault(m => m.TenantId == user.ActiveTenantId).TenantId;
            if (tenantId == 0 && memberships.Count > 0) tenantId = memberships[0].TenantId;
        }
        await audit.RecordAsync(new AuditRecord
        {
            TenantId = tenantId,
            Action = action,
            Outcome = outcome,
            ResourceType = "user",
            ResourceId = user?.Id,
            ActorKind = user is null ? ActorKind.Anonymous : ActorKind.User,
            ActorId = user?.Id,
            ActorName = user?.UserName ?? Truncate(attemptedName ?? "", 100),
            ClientIp = http.HttpContext?.Connection.RemoteIpAddress?.ToString(),
            Details = details,
        });
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}

public static class AccountUrls
{
    public const string Login = "/account/login";
    public const string ChangePassword = "/account/change-password";
    public const string TwoFactor = "/account/two-factor";
    public const string EnableAuthenticator = "/account/two-factor/enable";
    public const string LoginWith2fa = "/account/login-2fa";
    public const string LoginWithRecoveryCode = "/account/login-recovery";
    public const string Home = "/devices";

    /// <summary>A local path to go to after sign-in; anything else (absolute, protocol-relative, backslash) is home.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        string.IsNullOrEmpty(returnUrl) || !returnUrl.StartsWith('/') || returnUrl.StartsWith("//", StringComparison.Ordinal)
            || returnUrl.StartsWith("/\\", StringComparison.Ordinal) || returnUrl.Any(char.IsControl)
            ? Home
            : returnUrl;

    /// <summary>Where a user goes right after signing in: the forced password change first, if it is pending.</summary>
    public static string AfterSignIn(ApplicationUser user, string? returnUrl)
    {
        var target = SafeReturnUrl(returnUrl);
        return user.MustChangePassword ? $"{ChangePassword}?returnUrl={Uri.EscapeDataString(target)}" : target;
    }
}
