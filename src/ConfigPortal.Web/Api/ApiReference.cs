using System.Security.Claims;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Scalar.AspNetCore;

namespace ConfigPortal.Web.Api;

/// <summary>
/// The OpenAPI document of /api/v1 (<c>/openapi/v1.json</c>) and its interactive reference page (Scalar,
/// <c>/api/reference</c>), for signed-in users (cookie) who are a tenant admin somewhere or a platform admin.
/// </summary>
public static class ApiReference
{
    public const string Policy = "ApiReference";
    public const string DocumentPath = "/openapi/{documentName}.json";
    public const string PagePath = "/api/reference";

    /// <summary>The reference page runs Scalar's inline bootstrap script: its CSP (this path only) allows inline script.</summary>
    public const string PageContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    public static IServiceCollection AddPortalOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi("v1", o =>
        {
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1/", StringComparison.OrdinalIgnoreCase) == true;
            o.AddDocumentTransformer((doc, _, _) =>
            {
                doc.Info.Title = "ConfigPortal API";
                doc.Info.Version = "v1";
                doc.Info.Description = "Automation API of one tenant. Authenticate with an API token of that tenant: "
                    + "`Authorization: Bearer cpt_...` (Settings → API tokens). Scopes: read, backup, admin.";
                return Task.CompletedTask;
            });
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p
            .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new AdminSomewhereRequirement()));
        services.AddScoped<IAuthorizationHandler, AdminSomewhereHandler>();
        return services;
    }

    public static void MapPortalOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(DocumentPath).RequireAuthorization(Policy);
        app.MapScalarApiReference(PagePath, o => o
                .WithTitle("ConfigPortal API reference")
                .WithOpenApiRoutePattern(DocumentPath)
                .AddDocument("v1", "ConfigPortal API v1"))
            .RequireAuthorization(Policy);
    }
}

internal sealed class AdminSomewhereRequirement : IAuthorizationRequirement;

/// <summary>A platform admin, or a tenant admin of at least one tenant (memberships read fresh, not from the cookie).</summary>
internal sealed class AdminSomewhereHandler(PlatformQueries platform) : AuthorizationHandler<AdminSomewhereRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminSomewhereRequirement requirement)
    {
        var user = context.User;
        if (user.HasClaim(PortalClaims.PlatformAdmin, "true"))
        {
            context.Succeed(requirement);
            return;
        }
        if (user.FindFirstValue(ClaimTypes.NameIdentifier) is not { Length: > 0 } userId) return;
        var memberships = await platform.MembershipsOfUserAsync(userId);
        if (memberships.Any(m => m.Role == TenantRole.TenantAdmin))
            context.Succeed(requirement);
    }
}
