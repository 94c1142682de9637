using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Scheduling;
using ConfigPortal.Infrastructure.Scheduling;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace ConfigPortal.Infrastructure.Tests.Scheduling;

/// <summary>
/// Two real, started hosts (worker + clustered Quartz scheduler each) on ONE SQLite file, 500 simulated devices with an
/// hourly group schedule, three slots driven by a shared fake clock (Quartz fires the planner on real time every
/// second; the planner reads slots from the fake clock). Every device is backed up exactly once per slot, whichever
/// instance plans or runs it. In the third slot one instance hangs mid-collection and is stopped abruptly; once its
/// leases expire the other instance fails those runs (interrupted) and re-runs the same slot for those devices.
/// </summary>
public sealed class TwoInstanceSchedulingTests
{
    private const int Fleet = 500;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(150);

    /// <summary>An instant collector; when <see cref="Hang"/> is set it never returns (a process frozen mid-run).</summary>
    private sealed class FleetCollector : IDeviceCollector
    {
        public volatile bool Hang;
        public int Hung;
        public DeviceDriver Driver => DeviceDriver.Simulator;

        public async Task<CollectedConfig> CollectAsync(CollectionRequest request, CancellationToken cancellationToken)
        {
            if (Hang)
            {
                Interlocked.Increment(ref Hung);
                await new TaskCompletionSource().Task; // ignores cancellation, like a dead process
            }
            return new CollectedConfig($"hostname {request.DeviceName}\n!\ninterface Ethernet1\n description uplink\n!\nend\n");
        }
    }

    [Fact]
    public async Task Two_instances_back_up_each_device_exactly_once_per_slot_and_finish_a_killed_instances_slot()
    {
        // The planner's and the leases' clock (Quartz and everything else keep the real one): an hour past real time, at
        // a whole hour + 30 s, so the schedule (changed at real time) is older than every slot the test steps through.
        var real = DateTime.UtcNow;
        var clock = new FakeTimeProvider(new DateTimeOffset(real.Date.AddHours(real.Hour + 1).AddSeconds(30), TimeSpan.Zero));
        var settings = new Dictionary<string, string?>
        {
            ["Scheduling:PlannerInterval"] = "00:00:01",
            ["Scheduling:ClusterCheckinInterval"] = "00:00:02",
            ["Backups:PollInterval"] = "00:00:01",
            ["Backups:HeartbeatInterval"] = "00:00:01",
            ["Backups:SweepInterval"] = "00:00:01",
            ["Backups:RunLease"] = "00:01:00", // on the fake clock
            ["Backups:MaxConcurrentSessions"] = "8",
        };
        var collectorB = new FleetCollector();
        var collectorA = new FleetCollector();
        void Configure(Microsoft.Extensions.Hosting.HostApplicationBuilder b, FleetCollector c)
        {
            b.Services.AddSingleton(new SchedulingClock(clock));
            b.Services.RemoveAll<IDeviceCollector>();
            b.Services.AddSingleton<IDeviceCollector>(c);
        }

        await using var b = await PortalHost.StartAsync(runBaselineBackups: true, settings, builder => Configure(builder, collectorB));
        var devices = await SeedFleetAsync(b, clock);
        await using (var scope = b.ScopeAs(b.AcmeId, "admin@acme.example"))
            await scope.ServiceProvider.GetRequiredService<ScheduleService>().SetGroupScheduleAsync("fleet",
                new ScheduleInput { CronExpression = "0 * * * *", TimeZoneId = "UTC", JitterSeconds = 300 });

        var shared = new Dictionary<string, string?>(settings)
        {
            ["Database:DataDirectory"] = Path.Combine(b.DataDirectory, "data"),
            ["Audit:KeyFile"] = Path.Combine(b.DataDirectory, "keys", "audit-chain.key"),
        };
        var a = await PortalHost.StartAsync(runBaselineBackups: false, shared, builder => Configure(builder, collectorA));
        await b.Host.StartAsync();
        await a.Host.StartAsync();

        var first = clock.GetUtcNow().UtcDateTime.AddSeconds(-30);
        var slots = new[] { 1, 2, 3 }.Select(h => first.AddHours(h)).ToArray();
        // Slots 1 and 2: both instances up.
        foreach (var slot in slots[..2])
        {
            clock.SetUtcNow(slot.AddSeconds(301));
            await WaitForAsync(b, slot, Fleet, "slot " + slot.ToString("HH:mm"));
        }

        // Slot 3: instance A freezes mid-collection and is stopped abruptly.
        collectorA.Hang = true;
        clock.SetUtcNow(slots[2].AddSeconds(301));
        await WaitUntilAsync(async () => Volatile.Read(ref collectorA.Hung) > 0
            && await SucceededAsync(b, slots[2]) + Volatile.Read(ref collectorA.Hung) == Fleet, "instance A to hang and B to finish the rest");
        var hung = Volatile.Read(ref collectorA.Hung);
        await KillAsync(a);
        // The leases of A's runs expire (fake clock); B's sweeper fails them and re-runs the slot for those devices.
        clock.Advance(TimeSpan.FromMinutes(2));
        await WaitForAsync(b, slots[2], Fleet, "slot 3 after the kill");

        var runs = await b.QueryAsync(b.AcmeId, db => db.BackupRuns.AsNoTracking().Where(r => devices.Contains(r.DeviceId)).ToListAsync());
        foreach (var slot in slots)
        {
            var ok = runs.Where(r => r.ScheduledSlotUtc == slot && r.Status == BackupRunStatus.Succeeded).ToList();
            Assert.Equal(devices.Order(), ok.Select(r => r.DeviceId).Order()); // every device, none twice
        }
        var interrupted = runs.Where(r => r.FailureKind == FailureKind.Interrupted).ToList();
        Assert.Equal(hung, interrupted.Count);
        Assert.All(interrupted, r => Assert.Equal((slots[2], 0), (r.ScheduledSlotUtc!.Value, r.SlotAttempt)));
        Assert.All(interrupted, r => Assert.Contains(runs, x => x.DeviceId == r.DeviceId && x.ScheduledSlotUtc == slots[2] && x.SlotAttempt == 1 && x.Status == BackupRunStatus.Succeeded));
        Assert.DoesNotContain(runs, r => r.ActiveDeviceId is not null);
        // Both instances executed runs (the lease records who ran each).
        Assert.Equal(2, runs.Where(r => r.ScheduledSlotUtc == slots[0]).Select(r => r.OwnerInstanceId).Distinct().Count());

        await b.Host.StopAsync();
        try { await a.DisposeAsync(); } catch (ObjectDisposedException) { }
    }

    private static async Task<List<int>> SeedFleetAsync(PortalHost p, FakeTimeProvider clock)
    {
        var now = DateTime.UtcNow;
        await p.QueryAsync(p.AcmeId, async db =>
        {
            db.Devices.AddRange(Enumerable.Range(1, Fleet).Select(i => new Device
            {
                TenantId = p.AcmeId,
                Name = $"fleet-{i:000}",
                Address = $"198.51.100.{i % 250 + 1}",
                Vendor = "cisco_ios",
                Driver = DeviceDriver.Simulator,
                SimulatorBehavior = SimulatorBehavior.Static,
                Group = "fleet",
                CreatedAtUtc = now,
                UpdatedAtUtc = now,
            }));
            return await db.SaveChangesAsync();
        });
        return await p.QueryAsync(p.AcmeId, db => db.Devices.Where(d => d.Group == "fleet").Select(d => d.Id).ToListAsync());
    }

    private static Task<int> SucceededAsync(PortalHost p, DateTime slot) =>
        p.QueryAsync(p.AcmeId, db => db.BackupRuns.CountAsync(r => r.ScheduledSlotUtc == slot && r.Status == BackupRunStatus.Succeeded));

    private static Task WaitForAsync(PortalHost p, DateTime slot, int expected, string what) =>
        WaitUntilAsync(async () => await SucceededAsync(p, slot) >= expected, what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for " + what);
            await Task.Delay(250);
        }
    }

    /// <summary>Stops a host without waiting for its work (its hung runs never finish) and disposes it.</summary>
    private static async Task KillAsync(PortalHost host)
    {
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        try { await host.Host.StopAsync(now.Token); }
        catch (Exception ex) when (ex is OperationCanceledException or AggregateException) { }
    }
}
