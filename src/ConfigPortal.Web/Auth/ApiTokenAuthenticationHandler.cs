using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using ConfigPortal.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Web.Auth;

/// <summary>"Authorization: Bearer cpt_..." for /api/v1. Unknown, revoked or expired tokens fail (401).</summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    PlatformQueries platform) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.Fail("Unsupported authorization scheme.");
        var identity = await platform.FindApiTokenAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (identity is null) return AuthenticateResult.Fail("Invalid, revoked or expired API token.");

        var claims = new[]
        {
            new Claim(ClaimTypes.Name, identity.Name),
            new Claim(PortalClaims.ApiToken, identity.TokenId.ToString(CultureInfo.InvariantCulture)),
            new Claim(PortalClaims.Tenant, identity.TenantId.ToString(CultureInfo.InvariantCulture)),
            new Claim(PortalClaims.Scopes, identity.Scopes.ToString()),
        };
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Response.WriteAsJsonAsync(new
        {
            type = "https://tools.ietf.org/html/rfc9110#section-15.5.2",
            title = "Unauthorized",
            status = 401,
            detail = "A valid API token is required (Authorization: Bearer cpt_...).",
        }, options: null, contentType: "application/problem+json");
    }
}
