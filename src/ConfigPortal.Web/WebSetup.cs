using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Web.Api;
using ConfigPortal.Web.Auth;
using ConfigPortal.Web.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.FileProviders;
using MudBlazor.Services;

namespace ConfigPortal.Web;

public static class WebSetup
{
    /// <summary>Blazor, MudBlazor, cookies + API tokens, and the caller context of each request and circuit.</summary>
    public static IHostApplicationBuilder AddPortalWeb(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddRazorComponents().AddInteractiveServerComponents(o =>
        {
            o.DetailedErrors = builder.Environment.IsDevelopment();
        });
        services.AddMudServices();
        services.AddHttpContextAccessor();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingAuthenticationStateProvider>();
        services.AddScoped<CircuitHandler, CallerCircuitHandler>();
        services.AddScoped<PortalSession>();
        services.AddScoped<IUserClaimsPrincipalFactory<ApplicationUser>, PortalClaimsPrincipalFactory>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.AddAuthentication().AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/access-denied";
            o.Cookie.Name = "ConfigPortal.Auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
        });
        services.AddAuthorization();
        services.AddProblemDetails();
        services.AddPortalHealthChecks();
        services.AddPortalOpenApi();
        return builder;
    }

    /// <summary>The worker role: the backup worker (from AddInfrastructure) and health checks; no UI, no API.</summary>
    public static IHostApplicationBuilder AddPortalWorker(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddAuthentication(); // Identity's sign-in services resolve the scheme provider; no scheme is used
        builder.Services.AddPortalHealthChecks();
        return builder;
    }

    /// <summary>The worker role's endpoints: /health/live, /health/ready, /health and (when enabled) /metrics.</summary>
    public static WebApplication UsePortalWorker(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = _ => StatusCodes.Status500InternalServerError });
        app.MapPortalHealth();
        app.MapPortalTelemetry();
        return app;
    }

    /// <summary>Migrations, and the demo when not in Production (or with --seed-demo).</summary>
    public static async Task InitializePortalAsync(this WebApplication app, string[] args)
    {
        var seed = !app.Environment.IsProduction() || args.Contains("--seed-demo") || app.Configuration.GetValue<bool>("SeedDemo");
        if (app.Configuration.GetValue<bool>("SkipDemoSeed")) seed = false;
        await app.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(seed);
    }

    public static WebApplication UsePortal(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            if (app.Environment.IsProduction()) app.UseHsts();
        }
        app.Use(async (ctx, next) =>
        {
            var h = ctx.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h["Referrer-Policy"] = "same-origin";
            h.XFrameOptions = "DENY";
            // Strict everywhere; the API reference page alone runs the inline bootstrap script of Scalar.
            h.ContentSecurityPolicy = ctx.Request.Path.StartsWithSegments(ApiReference.PagePath)
                ? ApiReference.PageContentSecurityPolicy
                : "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self' ws: wss:; font-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
            await next();
        });

        // The portal's own assets (theme, logo, diff styles) live in wwwroot-assets/ and are served at /assets.
        var assets = Path.Combine(AppContext.BaseDirectory, "wwwroot", "assets");
        if (Directory.Exists(assets))
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(assets), RequestPath = "/assets" });

        app.UseAuthentication();
        app.UseAuthorization();
        // After authorization: an endpoint's own scheme (the API's bearer tokens) has set HttpContext.User by then.
        app.UseMiddleware<CallerContextMiddleware>();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAccountEndpoints();
        app.MapPortalApi();
        app.MapDownloads();
        app.MapPortalHealth();
        app.MapPortalTelemetry();
        app.MapPortalOpenApi();
        return app;
    }

    /// <summary>Downloads for signed-in users (cookie): raw snapshot and unified diff.</summary>
    private static void MapDownloads(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/download").RequireAuthorization();
        g.MapGet("/snapshots/{id:long}", async (long id, SnapshotService snapshots, CancellationToken ct) =>
        {
            try
            {
                var s = await snapshots.GetTextAsync(id, forDownload: true, ct);
                return Results.File(System.Text.Encoding.UTF8.GetBytes(s.Text), "text/plain; charset=utf-8", $"{s.DeviceName}-snapshot-{id}.txt");
            }
            catch (NotFoundException) { return Results.NotFound(); }
            catch (AccessDeniedException) { return Results.Forbid(); }
        });
        g.MapGet("/devices/{deviceId:int}/diff", async (int deviceId, long from, long to, SnapshotService snapshots, CancellationToken ct) =>
        {
            try
            {
                var diff = await snapshots.GetUnifiedDiffAsync(deviceId, from, to, ct);
                return Results.File(System.Text.Encoding.UTF8.GetBytes(diff), "text/x-diff; charset=utf-8", $"device-{deviceId}-{from}-{to}.diff");
            }
            catch (NotFoundException) { return Results.NotFound(); }
            catch (AccessDeniedException) { return Results.Forbid(); }
        });
    }
}
