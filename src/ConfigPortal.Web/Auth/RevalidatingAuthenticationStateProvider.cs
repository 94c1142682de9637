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
    IServiceScopeFactory scopeFactory,
    IOptions<IdentityOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.GetUserAsync(state.User);
        if (user is null || user.IsDisabled) return false;
        if (users.SupportsUserSecurityStamp &&
            state.User.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType) != await users.GetSecurityStampAsync(user))
            return false;
        if (state.User.TenantId() is { } tenantId)
        {
            var memberships = await scope.ServiceProvider.GetRequiredService<PlatformQueries>().MembershipsOfUserAsync(user.Id, ct);
            return memberships.Any(m => m.TenantId == tenantId);
        }
        return true;
    }
}
