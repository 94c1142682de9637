using System.Security.Claims;
using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Infrastructure.Persistence;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Web.Auth;

/// <summary>
/// Re-checks a live circuit's user every minute: a changed security stamp, a disabled user or a lost membership of
/// the active tenant signs the circuit out.
/// </summary>
internal sealed class RevalidatingAuthenticationStateProvider(
    ILoggerFactory loggerFactory,
    SessionValidator validator)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct) =>
        validator.IsStillValidAsync(state.User, ct);
}

/// <summary>The check behind the revalidation, on its own so that tests can call it with a principal.</summary>
public sealed class SessionValidator(IServiceScopeFactory scopeFactory, IOptions<IdentityOptions> options)
{
    public async Task<bool> IsStillValidAsync(ClaimsPrincipal principal, CancellationToken ct = default)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.GetUserAsync(principal);
        if (user is null || user.IsDisabled) return false;
        if (users.SupportsUserSecurityStamp &&
            principal.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType) != await users.GetSecurityStampAsync(user))
            return false;
        if (principal.TenantId() is { } tenantId)
        {
            var memberships = await scope.ServiceProvider.GetRequiredService<PlatformQueries>().MembershipsOfUserAsync(user.Id, ct);
            return memberships.Any(m => m.TenantId == tenantId);
        }
        return true;
    }
}
