using System.Security.Claims;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Web.Auth;
using ConfigPortal.Web.Tests.Support;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Web.Tests.Security;

/// <summary>What a live Blazor circuit re-checks every minute, and the cap on circuits per user.</summary>
[Collection(SecurityCollection.Name)]
public sealed class LiveSessionTests(PortalFactory portal)
{
    private const string Acme = "Acme Networks";

    private async Task<ClaimsPrincipal> PrincipalAsync(ApplicationUser user)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<ApplicationUser>>();
        var fresh = await signIn.UserManager.FindByIdAsync(user.Id);
        return await signIn.CreateUserPrincipalAsync(fresh!);
    }

    private Task<bool> ValidAsync(ClaimsPrincipal principal) =>
        portal.Services.GetRequiredService<SessionValidator>().IsStillValidAsync(principal, TestContext.Current.CancellationToken);

    [Fact]
    public async Task The_circuit_loses_its_user_when_the_membership_of_the_active_tenant_is_removed()
    {
        var user = await portal.CreateUserAsync(role: TenantRole.TenantAdmin);
        var principal = await PrincipalAsync(user);
        Assert.Equal(await portal.TenantIdAsync(Acme), principal.TenantId());
        Assert.True(await ValidAsync(principal));

        await portal.SetMembershipAsync(Acme, user.Id, role: null);

        Assert.False(await ValidAsync(principal));
    }

    [Fact]
    public async Task The_circuit_loses_its_user_when_the_user_is_disabled()
    {
        var user = await portal.CreateUserAsync();
        var principal = await PrincipalAsync(user);
        Assert.True(await ValidAsync(principal));

        await portal.WithUsersAsync(async users =>
        {
            var u = (await users.FindByIdAsync(user.Id))!;
            u.IsDisabled = true;
            return await users.UpdateAsync(u);
        });

        Assert.False(await ValidAsync(principal));
    }

    [Fact]
    public async Task The_circuit_loses_its_user_when_the_security_stamp_changes()
    {
        var user = await portal.CreateUserAsync();
        var principal = await PrincipalAsync(user);
        Assert.True(await ValidAsync(principal));

        await portal.WithUsersAsync(async users => await users.UpdateSecurityStampAsync((await users.FindByIdAsync(user.Id))!));

        Assert.False(await ValidAsync(principal));
        // A principal issued after the change is fine again (the re-issued cookie of a password change).
        Assert.True(await ValidAsync(await PrincipalAsync(user)));
    }

    public static TheoryData<string> Revocations => new() { "membership", "disabled", "stamp" };

    [Theory]
    [MemberData(nameof(Revocations))]
    public async Task A_signed_in_browser_is_signed_out_on_its_next_request_after_a_revocation(string revocation)
    {
        var user = await portal.CreateUserAsync();
        using var browser = Browser.Open(portal);
        await browser.SignInOkAsync(user.Email!, SecurityData.StrongPassword);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await browser.Client.GetAsync("/devices", TestContext.Current.CancellationToken)).StatusCode);

        switch (revocation)
        {
            case "membership":
                await portal.SetMembershipAsync(Acme, user.Id, role: null);
                break;
            case "disabled":
                await portal.WithUsersAsync(async users =>
                {
                    var u = (await users.FindByIdAsync(user.Id))!;
                    u.IsDisabled = true;
                    return await users.UpdateAsync(u);
                });
                break;
            default:
                await portal.WithUsersAsync(async users => await users.UpdateSecurityStampAsync((await users.FindByIdAsync(user.Id))!));
                break;
        }

        var response = await browser.Client.GetAsync("/devices", TestContext.Current.CancellationToken);
        Assert.StartsWith("/account/login", Browser.Location(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_portal_registers_the_revalidating_provider_and_the_circuit_limit()
    {
        await using var scope = portal.Services.CreateAsyncScope();
        Assert.IsType<RevalidatingAuthenticationStateProvider>(scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>());
        Assert.Contains(scope.ServiceProvider.GetServices<CircuitHandler>(), h => h is CircuitLimitHandler);
        Assert.Equal(10, portal.Services.GetRequiredService<IOptions<CircuitLimitOptions>>().Value.MaxCircuitsPerUser);
    }

    [Fact]
    public async Task A_circuit_over_the_per_user_limit_is_refused_and_a_closed_one_frees_its_place()
    {
        var registry = new CircuitRegistry();
        var options = Options.Create(new CircuitLimitOptions { MaxCircuitsPerUser = 2 });
        CircuitLimitHandler For(string? userId) => new(new FixedState(userId), registry, options, NullLogger<CircuitLimitHandler>.Instance);

        var first = For("alice");
        await first.OpenAsync("c1");
        await For("alice").OpenAsync("c2");
        await Assert.ThrowsAsync<CircuitLimitExceededException>(() => For("alice").OpenAsync("c3"));
        Assert.Equal(2, registry.CountOf("alice"));

        // Another user and anonymous circuits are not affected.
        await For("bob").OpenAsync("c4");
        await For(null).OpenAsync("c5");
        Assert.Equal(1, registry.CountOf("bob"));

        first.Close("c1");
        await For("alice").OpenAsync("c6");
        Assert.Equal(2, registry.CountOf("alice"));
    }

    private sealed class FixedState(string? userId) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(
            userId is null ? new ClaimsPrincipal(new ClaimsIdentity()) : new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId)], "test"))));
    }
}
