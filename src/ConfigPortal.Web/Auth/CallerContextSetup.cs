using System.Globalization;
using System.Security.Claims;
using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace ConfigPortal.Web.Auth;

/// <summary>Fills the scope's <see cref="CurrentActor"/> and <see cref="ITenantContext"/> from a principal.</summary>
public static class CallerContextSetup
{
    public static void Apply(ClaimsPrincipal user, CurrentActor actor, ITenantContext tenant, string? ip, string? userAgent)
    {
        if (user.Identity?.IsAuthenticated != true) return;
        if (user.FindFirstValue(PortalClaims.ApiToken) is { } tokenId)
        {
            var scopes = Enum.TryParse<ApiTokenScopes>(user.FindFirstValue(PortalClaims.Scopes), out var s) ? s : ApiTokenScopes.None;
            actor.SetApiToken(int.Parse(tokenId, CultureInfo.InvariantCulture), "api:" + (user.Identity.Name ?? tokenId), scopes, ip, userAgent);
        }
        else if (user.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId)
        {
            actor.SetUser(userId, user.Identity.Name ?? userId, ip, userAgent);
        }
        if (user.TenantId() is { } tenantId && tenant.TenantId is null)
            tenant.SetTenant(tenantId);
    }
}

/// <summary>HTTP requests (prerendering, account pages, API): the caller comes from HttpContext.User.</summary>
public sealed class CallerContextMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext http, CurrentActor actor, ITenantContext tenant)
    {
        // Runs after UseAuthorization: the API token scheme authenticates there (endpoint policy), not in
        // UseAuthentication, so only then is HttpContext.User the token's principal.
        actor.CorrelationId = http.TraceIdentifier;
        CallerContextSetup.Apply(http.User, actor, tenant, http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString());
        if (actor.ClientIp is null) actor.ClientIp = http.Connection.RemoteIpAddress?.ToString();
        await next(http);
    }
}

/// <summary>Interactive circuits: the caller comes from the circuit's authentication state, captured when it opens.</summary>
public sealed class CallerCircuitHandler(
    AuthenticationStateProvider auth,
    CurrentActor actor,
    ITenantContext tenant,
    IHttpContextAccessor http) : CircuitHandler
{
    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        var state = await auth.GetAuthenticationStateAsync();
        var ctx = http.HttpContext;
        CallerContextSetup.Apply(state.User, actor, tenant, ctx?.Connection.RemoteIpAddress?.ToString(), ctx?.Request.Headers.UserAgent.ToString());
        actor.CorrelationId = "circuit-" + circuit.Id;
    }
}
