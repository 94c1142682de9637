using System.Text.Json;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Infrastructure.Scheduling;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ConfigPortal.Web;

/// <summary>Health checks, the container health probe and the one-time platform admin bootstrap.</summary>
public static class Operations
{
    /// <summary>`dotnet ConfigPortal.Web.dll --healthcheck URL`: exit 0 when the URL answers 2xx (the runtime image has no curl).</summary>
    public static async Task<int?> TryRunHealthProbeAsync(string[] args)
    {
        var i = Array.IndexOf(args, "--healthcheck");
        if (i < 0) return null;
        var url = i + 1 < args.Length ? args[i + 1] : "http://127.0.0.1:8080/health/live";
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(4) };
            using var response = await http.GetAsync(new Uri(url));
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return 1;
        }
    }

    /// <summary>
    /// `dotnet ConfigPortal.Web.dll verify-audit --file export.jsonl --key-file data/audit-chain.key [--head head.json]`:
    /// re-hashes a full JSON Lines export of one tenant offline (no database, no host) and, with a signed head, checks
    /// nothing was cut off the end. Exit 0 intact, 1 broken, 2 usage or unreadable input.
    /// </summary>
    public static async Task<int?> TryRunVerifyAuditAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != "verify-audit") return null;
        string? Arg(string name)
        {
            var i = Array.IndexOf(args, name);
            return i > 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        var file = Arg("--file");
        var keyFile = Arg("--key-file");
        var headFile = Arg("--head");
        if (file is null || keyFile is null)
        {
            await Console.Error.WriteLineAsync("usage: verify-audit --file EXPORT.jsonl --key-file AUDIT-CHAIN.key [--head HEAD.json]");
            return 2;
        }
        try
        {
            var hasher = new AuditHasher(OfflineAuditVerifier.ReadKeyFile(keyFile));
            SignedChainHead? head = null;
            if (headFile is not null)
            {
                await using var h = File.OpenRead(headFile);
                head = await JsonSerializer.DeserializeAsync<SignedChainHead>(h, AuditExportService.JsonOptions)
                    ?? throw new InvalidDataException("The head file is empty.");
            }
            using var reader = new StreamReader(file, System.Text.Encoding.UTF8);
            var r = await OfflineAuditVerifier.VerifyAsync(reader, hasher, head);
            if (r.Intact)
            {
                Console.WriteLine($"INTACT: tenant {r.TenantId}, {r.EntriesChecked} entries, intact up to sequence {r.VerifiedUpTo}"
                    + (r.FirstSequence > 1 ? $" from sequence {r.FirstSequence} (entries 1–{r.FirstSequence - 1} removed by retention, accounted for by its checkpoint)" : "")
                    + (head is null ? " (no head given: a cut tail cannot be detected)." : $"; reaches the signed head {head.Sequence} of {head.VerifiedAtUtc:u}."));
                return 0;
            }
            Console.WriteLine($"BROKEN: first broken sequence {r.FirstBrokenSequence?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}; intact up to {r.VerifiedUpTo}. {r.Problem}");
            return 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidDataException or JsonException)
        {
            await Console.Error.WriteLineAsync("verify-audit: " + ex.Message);
            return 2;
        }
    }

    public static IServiceCollection AddPortalHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
            .AddCheck<KeyRingHealthCheck>("key_ring", tags: ["ready"])
            .AddCheck<AuditHealthCheck>("audit", tags: ["ready"]);
        // Only instances that run the scheduler (worker role, or all-in-one with Scheduling:Enabled).
        if (services.Any(d => d.ServiceType == typeof(SchedulerMarker)))
            services.AddHealthChecks().AddCheck<SchedulerHealthCheck>("scheduler", tags: ["ready"]);
        return services;
    }

    public static void MapPortalHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        var ready = new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteAsync };
        app.MapHealthChecks("/health/ready", ready).AllowAnonymous();
        app.MapHealthChecks("/health", ready).AllowAnonymous();
    }

    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString().ToLowerInvariant(), description = e.Value.Description, data = e.Value.Data }),
        }));
    }

    /// <summary>
    /// Creates the first platform admin from `--create-admin EMAIL PASSWORD` or Bootstrap:AdminEmail/AdminPassword.
    /// Refused (logged, nothing changed) once any platform admin exists.
    /// </summary>
    public static async Task<int?> TryBootstrapAdminAsync(WebApplication app, string[] args)
    {
        string? email = app.Configuration["Bootstrap:AdminEmail"], password = app.Configuration["Bootstrap:AdminPassword"];
        var i = Array.IndexOf(args, "--create-admin");
        var fromCommandLine = i >= 0;
        if (fromCommandLine)
        {
            if (i + 2 >= args.Length)
            {
                await Console.Error.WriteLineAsync("usage: --create-admin EMAIL PASSWORD");
                return 2;
            }
            (email, password) = (args[i + 1], args[i + 2]);
        }
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(password)) return null;

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Bootstrap");
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        if (await users.Users.AnyAsync(u => u.IsPlatformAdmin))
        {
            logger.LogWarning("Bootstrap of a platform admin refused: a platform admin already exists.");
            return fromCommandLine ? 3 : null;
        }
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, IsPlatformAdmin = true, DisplayName = "Platform admin", CreatedAtUtc = DateTime.UtcNow };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            logger.LogError("Bootstrap of a platform admin failed: {Errors}", string.Join("; ", result.Errors.Select(e => e.Code)));
            return 4;
        }
        logger.LogInformation("Platform admin {Email} created.", email);
        return fromCommandLine ? 0 : null;
    }
}

internal sealed class DatabaseHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            if (!await db.Database.CanConnectAsync(ct)) return HealthCheckResult.Unhealthy("The database cannot be reached.");
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy("Reachable; migrations applied.")
                : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied.");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("Database check failed: " + ex.GetType().Name);
        }
    }
}

internal sealed class KeyRingHealthCheck(IDataProtectionProvider provider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var p = provider.CreateProtector("ConfigPortal.HealthCheck");
            return Task.FromResult(p.Unprotect(p.Protect("ok")) == "ok"
                ? HealthCheckResult.Healthy("Key ring readable.")
                : HealthCheckResult.Unhealthy("Key ring round trip failed."));
        }
        catch (Exception ex)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Key ring unreadable: " + ex.GetType().Name));
        }
    }
}

internal sealed class AuditHealthCheck(AuditHealth audit) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var data = new Dictionary<string, object>
        {
            ["written"] = audit.EntriesWritten,
            ["failedWrites"] = audit.FailedWrites,
        };
        if (audit.LastFailureUtc is { } t) data["lastFailureUtc"] = t.ToString("o");
        if (audit.LastFailureAction is { } a) data["lastFailureAction"] = a;
        return Task.FromResult(audit.FailedWrites == 0
            ? HealthCheckResult.Healthy("Audit writes healthy.", data)
            : HealthCheckResult.Degraded($"{audit.FailedWrites} audit entries could not be written; see the error log.", data: data));
    }
}

/// <summary>
/// "Scheduler running": this instance's Quartz scheduler is started (not in standby, not shut down) and so takes
/// part in the cluster that fires the planner. Reports when this instance last planned (any instance may plan).
/// </summary>
internal sealed class SchedulerHealthCheck(Quartz.ISchedulerFactory factory, SchedulerHealth health, PortalInstance instance) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var data = new Dictionary<string, object> { ["instanceId"] = instance.Id };
        if (health.LastPlanUtc is { } planned) data["lastPlanUtc"] = planned.ToString("o");
        if (health.LastFailure is { } failure) data["lastFailure"] = failure;
        try
        {
            var scheduler = await factory.GetScheduler(ct);
            data["status"] = scheduler.Status.ToString();
            if (scheduler.Status != Quartz.SchedulerStatus.Running)
                return HealthCheckResult.Unhealthy("The scheduler is not running.", data: data);
            return HealthCheckResult.Healthy("Scheduler running.", data);
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("Scheduler check failed: " + ex.GetType().Name, data: data);
        }
    }
}
