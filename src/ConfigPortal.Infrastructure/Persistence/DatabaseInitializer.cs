using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Seeding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Infrastructure.Persistence;

/// <summary>Applies migrations at start and, when asked, seeds the demo and queues its baseline backups.</summary>
public sealed class DatabaseInitializer(IServiceScopeFactory scopes, IOptions<DatabaseOptions> options, DemoSeeder seeder, ILogger<DatabaseInitializer> logger)
{
    public async Task InitializeAsync(bool seedDemo, CancellationToken ct = default)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            if (options.Value.MigrateOnStart)
            {
                await db.Database.MigrateAsync(ct);
                logger.LogInformation("Database migrations applied ({Provider}).", options.Value.Provider);
            }
            if (options.Value.Provider == DatabaseProvider.Sqlite)
            {
                // WAL: readers never wait for the writer; the setting persists in the file.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            }
        }
        if (seedDemo && await seeder.SeedAsync(ct))
            await QueueBaselineBackupsAsync(ct);
    }

    private async Task QueueBaselineBackupsAsync(CancellationToken ct)
    {
        await using var root = scopes.CreateAsyncScope();
        var platformDb = root.ServiceProvider.GetRequiredService<PortalDbContext>();
        var tenantIds = await platformDb.Tenants.Select(t => t.Id).ToListAsync(ct);
        foreach (var tenantId in tenantIds)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
            scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var backups = scope.ServiceProvider.GetRequiredService<BackupService>();
            foreach (var deviceId in await db.Devices.Where(d => d.Enabled).Select(d => d.Id).ToListAsync(ct))
                await backups.TriggerAsync(deviceId, BackupTrigger.Schedule, ct);
        }
    }
}
