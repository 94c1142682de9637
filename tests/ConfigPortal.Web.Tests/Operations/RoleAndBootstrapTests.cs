using System.Net;
using ConfigPortal.Infrastructure;
using ConfigPortal.Infrastructure.Backups;
using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Infrastructure.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ConfigPortal.Web.Tests.Operations;

public sealed class WorkerRoleTests : IClassFixture<WorkerPortalFactory>
{
    private readonly WorkerPortalFactory _portal;

    public WorkerRoleTests(WorkerPortalFactory portal) => _portal = portal;

    [Fact]
    public async Task The_worker_serves_health_only_and_runs_the_backup_worker()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _portal.CreateClient(new() { AllowAutoRedirect = false });

        using (var live = await client.GetAsync("/health/live", ct))
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        // Quartz starts its scheduler once the host has started (in the background): until then readiness is
        // 503 "scheduler not running", as a load balancer should see it. Poll the way one does.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var ready = await client.GetAsync("/health/ready", ct);
            var text = await ready.Content.ReadAsStringAsync(ct);
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                // The worker runs the scheduler: readiness reports it running.
                using var body = System.Text.Json.JsonDocument.Parse(text);
                Assert.Equal("healthy", body.RootElement.GetProperty("checks").GetProperty("scheduler").GetProperty("status").GetString());
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"readiness still {(int)ready.StatusCode} after 60 s: {text}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            await Task.Delay(200, ct);
        }
        foreach (var path in new[] { "/", "/devices", "/account/login", "/api/v1/devices", "/openapi/v1.json" })
        {
            using var response = await client.GetAsync(path, ct);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
        }
        Assert.Contains(_portal.Services.GetServices<IHostedService>(), s => s is BackupWorker);
    }
}

/// <summary>Production start and the one-time platform admin bootstrap, built the way Program.cs builds the portal.</summary>
public sealed class BootstrapTests : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cp-bootstrap-").FullName;

    private async Task<(int? ExitCode, WebApplication App)> StartAsync(params string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", Args = args, ContentRootPath = _dir });
        builder.Configuration["Database:DataDirectory"] = Path.Combine(_dir, "data");
        builder.Configuration["Audit:KeyFile"] = Path.Combine(_dir, "audit-chain.key");
        builder.AddInfrastructure();
        builder.AddPortalWeb();
        var app = builder.Build();
        await app.InitializePortalAsync(args);
        return (await ConfigPortal.Web.Operations.TryBootstrapAdminAsync(app, args), app);
    }

    [Fact]
    public async Task A_production_start_seeds_no_demo_and_the_first_create_admin_works_and_the_second_is_refused()
    {
        var (first, app1) = await StartAsync("--create-admin", "ops@example.net", "A-Long-Bootstrap-Passphrase");
        await using (app1)
        {
            Assert.Equal(0, first);
            await using var scope = app1.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            Assert.Equal(0, await db.Tenants.CountAsync(TestContext.Current.CancellationToken));
            var admins = await db.Users.Where(u => u.IsPlatformAdmin).Select(u => u.Email).ToListAsync(TestContext.Current.CancellationToken);
            Assert.Equal(["ops@example.net"], admins);
        }

        var (second, app2) = await StartAsync("--create-admin", "intruder@example.net", "Another-Long-Passphrase");
        await using (app2)
        {
            Assert.Equal(3, second);
            await using var scope = app2.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.Null(await users.FindByEmailAsync("intruder@example.net"));
        }

        var (usage, app3) = await StartAsync("--create-admin", "only-an-email@example.net");
        await using (app3)
            Assert.Equal(2, usage);
    }

    [Fact]
    public async Task A_production_start_without_bootstrap_settings_continues_to_serve()
    {
        var (exit, app) = await StartAsync();
        await using (app)
            Assert.Null(exit);
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { /* harmless */ }
        return ValueTask.CompletedTask;
    }
}

public sealed class SshSettingsTests
{
    [Fact]
    public void An_unknown_key_exchange_in_the_settings_stops_the_start_and_names_the_supported_ones()
    {
        using var portal = new UnknownKeyExchangePortalFactory();
        var ex = Assert.ThrowsAny<Exception>(() => portal.CreateClient());
        var validation = Assert.IsType<Microsoft.Extensions.Options.OptionsValidationException>(
            ex is Microsoft.Extensions.Options.OptionsValidationException ? ex : ex.GetBaseException(), exactMatch: false);
        Assert.Contains("Ssh:KeyExchangeAlgorithms", validation.Message, StringComparison.Ordinal);
        Assert.Contains("ecdh-sha2-nistp256", validation.Message, StringComparison.Ordinal);
        Assert.Contains("'curve448-sha512'", validation.Message, StringComparison.Ordinal);
    }
}
