using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure;
using ConfigPortal.Infrastructure.Identity;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Infrastructure.Seeding;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ConfigPortal.Web.Tests.Support;

/// <summary>
/// The real infrastructure (AddInfrastructure) over a fresh SQLite file, migrated and seeded with the demo tenants, users
/// and devices, but without baseline runs and without the hosted worker: tests run the backup pipeline themselves.
/// Component tests copy <see cref="AddTo"/> into their bUnit service collection.
/// </summary>
public sealed class PortalDatabase : IAsyncLifetime
{
    private readonly List<ServiceDescriptor> _descriptors;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "cp-bunit-" + Guid.NewGuid().ToString("N"));
    public int AcmeId { get; private set; }
    public int GlobexId { get; private set; }
    public IReadOnlyDictionary<string, string> UserIds { get; private set; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, int> AcmeDevices { get; private set; } = new Dictionary<string, int>();

    public PortalDatabase()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:DataDirectory"] = DataDirectory,
            ["Audit:KeyFile"] = Path.Combine(DataDirectory, "audit-chain.key"),
            ["Simulator:Latency"] = "00:00:00",
        });
        builder.AddInfrastructure();
        _descriptors = builder.Services
            .Where(d => d.ServiceType != typeof(IHostedService) && d.ServiceType != typeof(IHostLifetime))
            .ToList();
    }

    /// <summary>Adds the portal's infrastructure and domain services (not the worker) to a service collection.</summary>
    public void AddTo(IServiceCollection services)
    {
        foreach (var d in _descriptors) services.Add(d);
    }

    public async ValueTask InitializeAsync()
    {
        var services = new ServiceCollection();
        AddTo(services);
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<DatabaseInitializer>().InitializeAsync(seedDemo: false);
        if (!await provider.GetRequiredService<DemoSeeder>().SeedAsync())
            throw new InvalidOperationException("The test database was not empty.");

        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        AcmeId = await db.Tenants.Where(t => t.Name == "Acme Networks").Select(t => t.Id).SingleAsync();
        GlobexId = await db.Tenants.Where(t => t.Name == "Globex").Select(t => t.Id).SingleAsync();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        UserIds = await users.Users.ToDictionaryAsync(u => u.Email!, u => u.Id);

        await using var acme = provider.CreateAsyncScope();
        acme.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(AcmeId);
        AcmeDevices = await acme.ServiceProvider.GetRequiredService<PortalDbContext>().Devices.ToDictionaryAsync(d => d.Name, d => d.Id);
    }

    /// <summary>Executes a queued run the way the worker does: a scope bound to the run's tenant, acting as the system.</summary>
    public static async Task ExecuteRunAsync(IServiceProvider services, int tenantId, long runId)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
        await scope.ServiceProvider.GetRequiredService<BackupPipeline>().ExecuteAsync(runId);
    }

    /// <summary>A manual backup by a user, run to the end.</summary>
    public async Task<BackupRunView> BackupAsync(IServiceProvider services, string userEmail, int deviceId)
    {
        long runId;
        await using (var scope = services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(AcmeId);
            scope.ServiceProvider.GetRequiredService<CurrentActor>().SetUser(UserIds[userEmail], userEmail, "127.0.0.1", "tests");
            runId = (await scope.ServiceProvider.GetRequiredService<BackupService>().TriggerAsync(deviceId, BackupTrigger.Manual)).Run.Id;
        }
        await ExecuteRunAsync(services, AcmeId, runId);
        await using (var scope = services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(AcmeId);
            scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
            return await scope.ServiceProvider.GetRequiredService<BackupService>().GetRunAsync(runId);
        }
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return ValueTask.CompletedTask;
    }
}
