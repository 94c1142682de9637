using System.Diagnostics;
using System.Globalization;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Scheduling;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Infrastructure.Scheduling;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConfigPortal.Benchmarks;

/// <summary>
/// `scheduling [devices] [slots] [idleSeconds]`: the scheduler's own cost at fleet scale. A real started host (clustered
/// Quartz firing the planner every second, the worker's heartbeat and lease sweeper) on a SQLite file with N scheduled
/// devices (one hourly group schedule, 10 minutes of jitter). The clock the planner reads is stepped from slot to slot.
/// Devices are "collected" instantly: the runs a slot queues are completed in one statement (an instant collector
/// without the pipeline, so only the scheduler's cost is measured). Per slot it reports the time to plan all devices
/// and, over an idle window between slots (the planner still firing every second), the process CPU time, the managed
/// heap after a full GC and the working set.
/// </summary>
public static class SchedulingBenchmark
{
    private sealed class SteppedClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;
        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
        public void Set(DateTime utc) => Interlocked.Exchange(ref _ticks, utc.Ticks);
    }

    private sealed class NoQueue : IBackupQueue
    {
        public ValueTask EnqueueAsync(long runId, int tenantId, CancellationToken ct = default) => ValueTask.CompletedTask;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var devices = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
        var slotCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        var idle = TimeSpan.FromSeconds(args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20);
        var real = DateTime.UtcNow;
        var start = real.Date.AddHours(real.Hour + 1).AddSeconds(30); // ahead of real time: the schedule is older than every slot
        var clock = new SteppedClock(start);

        var dir = Directory.CreateTempSubdirectory("cp-schedbench-").FullName;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development", ContentRootPath = dir, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:DataDirectory"] = Path.Combine(dir, "data"),
            ["Audit:KeyFile"] = Path.Combine(dir, "keys", "audit-chain.key"),
            ["Scheduling:PlannerInterval"] = "00:00:01",
            ["Backups:PollInterval"] = "00:00:00",
            ["Backups:HeartbeatInterval"] = "00:00:01",
            ["Backups:SweepInterval"] = "00:00:01",
        });
        builder.Logging.ClearProviders();
        builder.AddInfrastructure();
        builder.Services.AddSingleton(new SchedulingClock(clock));
        builder.Services.RemoveAll<IBackupQueue>();
        builder.Services.AddSingleton<IBackupQueue, NoQueue>();
        using var host = builder.Build();
        await host.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(seedDemo: true);
        int tenantId;
        await using (var root = host.Services.CreateAsyncScope())
            tenantId = await root.ServiceProvider.GetRequiredService<PortalDbContext>().Tenants.Where(t => t.Name == "Acme Networks").Select(t => t.Id).SingleAsync();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
            scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            // The demo's baseline runs are completed like the scheduled ones: the worker gets no runs in this mode.
            await db.BackupRuns.Where(r => r.ActiveDeviceId != null).ExecuteUpdateAsync(s => s.SetProperty(r => r.ActiveDeviceId, (int?)null).SetProperty(r => r.Status, BackupRunStatus.Succeeded));
            for (var i = 0; i < devices; i += 1000)
            {
                db.Devices.AddRange(Enumerable.Range(i, Math.Min(1000, devices - i)).Select(n => new Device
                {
                    TenantId = tenantId, Name = $"sched-{n:00000}", Address = "198.51.100.1", Vendor = "cisco_ios",
                    Driver = DeviceDriver.Simulator, SimulatorBehavior = SimulatorBehavior.Static, Group = "fleet",
                    CreatedAtUtc = real, UpdatedAtUtc = real,
                }));
                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
            }
            db.BackupSchedules.Add(new BackupSchedule
            {
                TenantId = tenantId, Scope = ScheduleScope.Group, GroupName = "fleet", ScopeKey = BackupSchedule.KeyFor(ScheduleScope.Group, "fleet", null),
                CronExpression = "0 * * * *", TimeZoneId = "UTC", JitterSeconds = 600, Enabled = true, CreatedAtUtc = real, UpdatedAtUtc = real,
            });
            await db.SaveChangesAsync();
        }
        await host.StartAsync();
        var health = host.Services.GetRequiredService<SchedulerHealth>();
        var process = Process.GetCurrentProcess();

        Console.WriteLine($"scheduling benchmark: {devices} devices, {slotCount} hourly slots, idle window {idle.TotalSeconds:0} s (planner every 1 s), {Environment.ProcessorCount} cores");
        Console.WriteLine("slot | plan all devices (s) | idle CPU (ms) | idle CPU per planner pass (ms) | passes | heap after GC (MB) | working set (MB)");
        for (var k = 1; k <= slotCount; k++)
        {
            var slot = start.AddSeconds(-30).AddHours(k);
            var sw = Stopwatch.StartNew();
            clock.Set(slot.AddSeconds(601));
            while (await CountAsync(host, tenantId, slot) < devices)
            {
                if (sw.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException("slot not planned in 10 minutes");
                await Task.Delay(100);
            }
            var plan = sw.Elapsed;
            await CompleteAsync(host, tenantId);
            clock.Set(slot.AddMinutes(30)); // between slots: nothing due
            await Task.Delay(TimeSpan.FromSeconds(2));
            var passesBefore = health.Passes;
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            await Task.Delay(idle);
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            var passes = health.Passes - passesBefore;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            process.Refresh();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{k} | {plan.TotalSeconds:0.0} | {cpu.TotalMilliseconds:0} | {(passes > 0 ? cpu.TotalMilliseconds / passes : 0):0.0} | {passes} | {GC.GetTotalMemory(false) / 1048576.0:0.0} | {process.WorkingSet64 / 1048576.0:0}"));
        }
        await host.StopAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        return 0;
    }

    private static async Task<int> CountAsync(IHost host, int tenantId, DateTime slot)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await db.BackupRuns.CountAsync(r => r.ScheduledSlotUtc == slot);
    }

    /// <summary>The instant collector: every queued run of the slot finishes successfully at once.</summary>
    private static async Task CompleteAsync(IHost host, int tenantId)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        await db.BackupRuns.Where(r => r.ActiveDeviceId != null).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.ActiveDeviceId, (int?)null)
            .SetProperty(r => r.Status, BackupRunStatus.Succeeded)
            .SetProperty(r => r.Outcome, RunOutcome.Unchanged));
    }
}
