using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Infrastructure.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace ConfigPortal.Web.Auth;

/// <summary>Form posts of the account area that are not pages: sign out and switch tenant.</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/account").RequireAuthorization();

        group.MapPost("/logout", async (SignInManager<ApplicationUser> signIn, IAuditService audit, ITenantContext tenant, [FromForm] string? returnUrl) =>
        {
            await audit.RecordAsync(new AuditRecord { TenantId = tenant.TenantId ?? 0, Action = AuditActions.UserSignedOut, ResourceType = "user" });
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("~/account/login");
        });

        group.MapPost("/switch-tenant", async (HttpContext http, [FromForm] int tenantId, [FromForm] string? returnUrl,
            UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn, PlatformQueries platform) =>
        {
            var user = await users.GetUserAsync(http.User);
            if (user is null) return Results.Unauthorized();
            var memberships = await platform.MembershipsOfUserAsync(user.Id);
            if (memberships.All(m => m.TenantId != tenantId))
                return Results.Forbid();
            user.ActiveTenantId = tenantId;
            await users.UpdateAsync(user);
            await signIn.RefreshSignInAsync(user);
            return Results.LocalRedirect(string.IsNullOrEmpty(returnUrl) || !returnUrl.StartsWith('/') ? "~/" : "~" + returnUrl);
        });
        return app;
    }
}
