using System.Collections.Concurrent;
using System.Diagnostics;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure;
using ConfigPortal.Infrastructure.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConfigPortal.Benchmarks;

/// <summary>
/// The real infrastructure (services, pipeline, SQLite file in a temp folder, demo tenants) for the backup benchmarks,
/// as the app wires it; <paramref name="configureServices"/> runs before the infrastructure registers its own services.
/// </summary>
public sealed class BenchHost : IAsyncDisposable
{
    private BenchHost(IHost host, string dir)
    {
        Host = host;
        Directory = dir;
    }

    public IHost Host { get; }
    public string Directory { get; }
    public IServiceProvider Services => Host.Services;
    public int TenantId { get; private set; }

    public static async Task<BenchHost> CreateAsync(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("cp-backupbench-").FullName;
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
        });
        builder.Configuration.AddInMemoryCollection(settings);
        // Any portal setting can be overridden for an experiment: CP_BENCH_Backups__MaxConcurrentSessions=4, ...
        builder.Configuration.AddEnvironmentVariables("CP_BENCH_");
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (Environment.GetEnvironmentVariable("CP_BENCH_SQL") == "1")
        {
            builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Information);
            builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Query", LogLevel.Debug);
            builder.Logging.AddProvider(SqlProfile.Instance);
        }
        configureServices?.Invoke(builder.Services);
        builder.AddInfrastructure();
        var host = builder.Build();
        await host.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(seedDemo: true);
        var bench = new BenchHost(host, dir);
        await using var scope = host.Services.CreateAsyncScope();
        bench.TenantId = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Tenants
            .Where(t => t.Name == "Acme Networks").Select(t => t.Id).SingleAsync();
        return bench;
    }

    /// <summary>The SQLite settings the portal's own connections run with (journal mode, synchronous, busy timeout).</summary>
    public async Task<string> SqliteSettingsAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            async Task<string?> Pragma(string name)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = $"PRAGMA {name};";
                return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            }
            return $"journal_mode={await Pragma("journal_mode")}, synchronous={await Pragma("synchronous")} (1 = NORMAL, 2 = FULL), busy_timeout={await Pragma("busy_timeout")} ms, mmap_size={await Pragma("mmap_size")} bytes, temp_store={await Pragma("temp_store")} (2 = MEMORY)";
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>A scope acting in the benchmark tenant as the scheduler ("system"), as the backup worker does.</summary>
    public AsyncServiceScope SystemScope()
    {
        var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(TenantId);
        scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
        return scope;
    }

    public async Task<long> TriggerAsync(int deviceId)
    {
        await using var scope = SystemScope();
        return (await scope.ServiceProvider.GetRequiredService<BackupService>().TriggerAsync(deviceId, BackupTrigger.Schedule)).Run.Id;
    }

    /// <summary>
    /// Queues one scheduled slot's runs the way the schedule planner does: chunks of 250 <see cref="BackupRun.ForScheduleSlot"/>
    /// rows, one transaction per chunk, then one queue message per run. Returns the run ids in device order.
    /// </summary>
    public async Task<List<long>> QueueSlotAsync(IReadOnlyList<int> deviceIds, DateTime slot)
    {
        var queue = Services.GetRequiredService<IBackupQueue>();
        var ids = new List<long>(deviceIds.Count);
        foreach (var chunk in deviceIds.Chunk(250))
        {
            await using var scope = SystemScope();
            await using var db = await scope.ServiceProvider.GetRequiredService<IPortalDbFactory>().CreateAsync();
            var now = DateTime.UtcNow;
            var runs = await db.ExecuteInTransactionAsync(async ct =>
            {
                var rows = chunk.Select(d => BackupRun.ForScheduleSlot(TenantId, d, slot, attempt: 0, now)).ToList();
                db.BackupRuns.AddRange(rows);
                await db.SaveChangesAsync(ct);
                return rows;
            }, default);
            foreach (var run in runs)
            {
                await queue.EnqueueAsync(run.Id, run.TenantId);
                ids.Add(run.Id);
            }
        }
        return ids;
    }

    /// <summary>Bulk "Backup now" of the devices (one request, one queueing transaction); returns the run ids by device order.</summary>
    public async Task<List<long>> TriggerBulkAsync(IReadOnlyList<int> deviceIds)
    {
        await using var scope = SystemScope();
        var result = await scope.ServiceProvider.GetRequiredService<BulkBackupService>().TriggerAsync(deviceIds, BackupTrigger.Manual);
        return result.Items.Select(i => i.RunId ?? throw new InvalidOperationException($"device {i.DeviceId} was not queued: {i.SkipReason}")).ToList();
    }

    /// <summary>
    /// Starts the host (the backup worker) and waits (up to 60 s) until the demo's queued baselines have run; returns the
    /// map of finished runs by id that the worker's run events fill from then on.
    /// </summary>
    public async Task<ConcurrentDictionary<long, BackupRunView>> StartWorkerAsync()
    {
        var finished = new ConcurrentDictionary<long, BackupRunView>();
        Services.GetRequiredService<BackupNotifier>().RunChanged += change =>
        {
            if (change.Run.IsFinished) finished[change.Run.Id] = change.Run;
            return Task.CompletedTask;
        };
        await Host.StartAsync();
        var platform = Services.GetRequiredService<PlatformQueries>();
        var settle = Stopwatch.StartNew();
        while ((await platform.PendingRunsAsync()).Count > 0 && settle.Elapsed < TimeSpan.FromSeconds(60))
            await Task.Delay(50);
        return finished;
    }

    public async ValueTask DisposeAsync()
    {
        Host.Dispose();
        SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}
