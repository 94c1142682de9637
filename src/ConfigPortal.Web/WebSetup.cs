using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Web.Api;
using ConfigPortal.Web.Auth;
using ConfigPortal.Web.Components;
using Microsoft.AspNetCore.Authentication;
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
        services.Configure<CircuitLimitOptions>(builder.Configuration.GetSection("Security"));
        services.AddSingleton<CircuitRegistry>();
        services.AddScoped<CircuitHandler, CircuitLimitHandler>();
        services.AddSingleton<SessionValidator>();
        // The sign-in cookie re-checks the security stamp every minute (default 30): a password change, a reset
        // authenticator or an admin's stamp renewal ends other sessions' plain HTTP requests as fast as circuits.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        services.AddScoped<PortalSession>();
        services.AddScoped<AccountAudit>();
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
            // Plain HTTP requests (pages rendered on the server, downloads, account forms) get the circuits' check on
            // every request: a disabled user, a lost membership of the active tenant or a renewed security stamp
            // ends the cookie at once, not when it expires.
            o.Events.OnValidatePrincipal = async ctx =>
            {
                await SecurityStampValidator.ValidatePrincipalAsync(ctx);
                if (ctx.Principal?.Identity?.IsAuthenticated == true &&
                    !await ctx.HttpContext.RequestServices.GetRequiredService<SessionValidator>().IsStillValidAsync(ctx.Principal, ctx.HttpContext.RequestAborted))
                {
                    ctx.RejectPrincipal();
                    await ctx.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
                }
            };
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
        app.UseMiddleware<ForcedPasswordChangeMiddleware>();
        app.UseAuthorization();
        // After authorization: an endpoint's own scheme (the API's bearer tokens) has set HttpContext.User by then.
        app.UseMiddleware<CallerContextMiddleware>();
        app.UseAntiforgery();

        app.MapStaticAssets();
        // The framework would add a second CSP header ("frame-ancestors 'self'"); the portal's own CSP above already
        // says frame-ancestors 'none', so one header states the whole policy.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        app.MapAccountEndpoints();
        app.MapPortalApi();
        app.MapDownloads();
        app.MapPortalHealth();
        app.MapPortalTelemetry();
        app.MapPortalOpenApi();
        return app;
    }

    /// <summary>Downloads for signed-in users (cookie): raw snapshot, unified diff, audit exports and the signed chain head.</summary>
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
        g.MapGet("/devices.csv", async (DeviceImportService devices, CancellationToken ct) =>
        {
            try
            {
                var export = await devices.ExportAsync(ct);
                return Results.File(System.Text.Encoding.UTF8.GetBytes(export.Csv), "text/csv; charset=utf-8", export.FileName);
            }
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
        // The audit page's export buttons: the grid's filter in the same query parameters as GET /api/v1/audit/export.
        g.MapGet("/audit.csv", (HttpRequest req, AuditExportService exports, CancellationToken ct) => AuditExportAsync(req, exports, AuditExportFormat.Csv, ct));
        g.MapGet("/audit.jsonl", (HttpRequest req, AuditExportService exports, CancellationToken ct) => AuditExportAsync(req, exports, AuditExportFormat.JsonLines, ct));
        g.MapGet("/audit-head.json", async (AuditExportService exports, CancellationToken ct) =>
        {
            try { return AuditDownloads.Head(await exports.SignedHeadAsync(ct)); }
            catch (AccessDeniedException) { return Results.Forbid(); }
        });
    }

    private static async Task<IResult> AuditExportAsync(HttpRequest req, AuditExportService exports, AuditExportFormat format, CancellationToken ct)
    {
        try
        {
            var export = await exports.PrepareAsync(Query.AuditFilter(req), format, ct);
            return AuditDownloads.Stream(export, ct);
        }
        catch (BadApiRequestException ex) { return Results.ValidationProblem(new Dictionary<string, string[]> { [ex.Field] = [ex.Message] }); }
        catch (AccessDeniedException) { return Results.Forbid(); }
    }
}
