using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure;
using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Infrastructure.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ConfigPortal.Infrastructure.Tests.Support;

/// <summary>
/// The real infrastructure on a fresh SQLite file in a temp folder, with the demo seeded. The host is built but never
/// started, so the backup worker does not run: tests execute runs with <see cref="BackupPipeline"/> themselves.
/// </summary>
public sealed class PortalHost : IAsyncDisposable
{
    public const string ClientIp = "203.0.113.7";
    public const string UserAgent = "ConfigPortal.Tests";

    private readonly Dictionary<string, (string Id, string Name)> _users = new(StringComparer.OrdinalIgnoreCase);

    private PortalHost(IHost host, string dataDirectory)
    {
        Host = host;
        DataDirectory = dataDirectory;
    }

    public IHost Host { get; }
    public IServiceProvider Services => Host.Services;
    public string DataDirectory { get; }
    public string DatabaseFile => Path.Combine(DataDirectory, "data", "configportal.db");
    public FakeLogCollector Logs => Services.GetFakeLogCollector();
    public int AcmeId { get; private set; }
    public int GlobexId { get; private set; }

    public static async Task<PortalHost> StartAsync(bool runBaselineBackups = true, IReadOnlyDictionary<string, string?>? settings = null,
        Action<HostApplicationBuilder>? configure = null)
    {
        var dir = Directory.CreateTempSubdirectory("configportal-tests-").FullName;
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = "Development",
            ContentRootPath = dir,
            DisableDefaults = true,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:DataDirectory"] = Path.Combine(dir, "data"),
            ["Audit:KeyFile"] = Path.Combine(dir, "keys", "audit-chain.key"),
            ["Simulator:Latency"] = "00:00:00",
            ["Backups:JobTimeout"] = "00:00:30",
            // The notification tests' receivers are loopback servers; WebhookTargetPolicyTests turn this off again.
            ["Notifications:AllowPrivateTargets"] = "true",
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFakeLogging();
        builder.AddInfrastructure();
        configure?.Invoke(builder);
        var host = builder.Build();

        var portal = new PortalHost(host, dir);
        await host.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(seedDemo: true);
        await portal.LoadDemoAsync();
        if (runBaselineBackups)
            await portal.RunPendingBackupsAsync();
        return portal;
    }

    private async Task LoadDemoAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var tenants = await db.Tenants.ToDictionaryAsync(t => t.Name, t => t.Id);
        AcmeId = tenants["Acme Networks"];
        GlobexId = tenants["Globex"];
        foreach (var u in await db.Users.Select(u => new { u.Id, u.Email, u.DisplayName }).ToListAsync())
            _users[u.Email!] = (u.Id, u.DisplayName ?? u.Email!);
    }

    public (string Id, string Name) User(string email) => _users[email];

    /// <summary>A scope acting in a tenant as a demo user (by e-mail), from <see cref="ClientIp"/>.</summary>
    public AsyncServiceScope ScopeAs(int tenantId, string email)
    {
        var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        var (id, name) = User(email);
        scope.ServiceProvider.GetRequiredService<CurrentActor>().SetUser(id, name, ClientIp, UserAgent);
        return scope;
    }

    /// <summary>A scope acting in a tenant as the scheduler ("system"), as the backup worker does.</summary>
    public AsyncServiceScope SystemScope(int tenantId)
    {
        var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
        return scope;
    }

    /// <summary>A tenant-filtered context for assertions (reads only what that tenant can see).</summary>
    public async Task<T> QueryAsync<T>(int tenantId, Func<PortalDbContext, Task<T>> query)
    {
        await using var scope = SystemScope(tenantId);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await query(db);
    }

    public async Task<int> CreateDeviceAsync(int tenantId, string name, SimulatorBehavior behavior, string vendor = "cisco_ios", int? credentialProfileId = null)
    {
        await using var scope = SystemScope(tenantId);
        return await scope.ServiceProvider.GetRequiredService<DeviceService>().CreateAsync(new DeviceInput
        {
            Name = name,
            Address = "192.0.2." + (Math.Abs(name.GetHashCode(StringComparison.Ordinal)) % 250 + 1),
            Port = 22,
            Vendor = vendor,
            Driver = DeviceDriver.Simulator,
            SimulatorBehavior = behavior,
            CredentialProfileIds = credentialProfileId is { } c ? [c] : [],
        });
    }

    /// <summary>Executes a queued run the way the worker does: in a scope of the run's tenant, as the system actor.</summary>
    public async Task ExecuteRunAsync(int tenantId, long runId)
    {
        await using var scope = SystemScope(tenantId);
        await scope.ServiceProvider.GetRequiredService<BackupPipeline>().ExecuteAsync(runId);
    }

    /// <summary>Triggers a manual backup as a user and executes it; returns the finished run.</summary>
    public async Task<BackupRunView> BackupAsync(int tenantId, int deviceId, string email = "operator@acme.example")
    {
        TriggerResult triggered;
        await using (var scope = ScopeAs(tenantId, email))
            triggered = await scope.ServiceProvider.GetRequiredService<BackupService>().TriggerAsync(deviceId, BackupTrigger.Manual);
        await ExecuteRunAsync(tenantId, triggered.Run.Id);
        await using (var scope = ScopeAs(tenantId, email))
            return await scope.ServiceProvider.GetRequiredService<BackupService>().GetRunAsync(triggered.Run.Id);
    }

    public async Task RunPendingBackupsAsync()
    {
        foreach (var (runId, tenantId, _, _) in await Services.GetRequiredService<PlatformQueries>().PendingRunsAsync())
            await ExecuteRunAsync(tenantId, runId);
    }

    public async ValueTask DisposeAsync()
    {
        Host.Dispose();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { /* a temp folder left behind is harmless */ }
    }
}

/// <summary>One seeded database per test class (xunit class fixture).</summary>
public sealed class PortalFixture : IAsyncLifetime
{
    private PortalHost? _portal;

    public PortalHost Portal => _portal ?? throw new InvalidOperationException("Not initialized.");

    public async ValueTask InitializeAsync() => _portal = await PortalHost.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_portal is not null) await _portal.DisposeAsync();
    }
}
