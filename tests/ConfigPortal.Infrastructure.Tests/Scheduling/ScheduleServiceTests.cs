using System.Text.Json;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Scheduling;
using ConfigPortal.Infrastructure.Scheduling;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ConfigPortal.Infrastructure.Tests.Scheduling;

/// <summary>Schedules through the service (validation, audit, precedence) and the planner on a fake clock.</summary>
public sealed class ScheduleServiceTests
{
    private const string Admin = "admin@acme.example";
    private static readonly DateTimeOffset Start = new(2026, 3, 27, 12, 0, 0, TimeSpan.Zero);

    private static Task<PortalHost> StartAsync(FakeTimeProvider clock) =>
        PortalHost.StartAsync(configure: b =>
        {
            b.Services.AddSingleton<TimeProvider>(clock);
            b.Services.AddSingleton(new SchedulingClock(clock));
        });

    private static async Task<T> As<T>(PortalHost p, Func<ScheduleService, Task<T>> call)
    {
        await using var scope = p.ScopeAs(p.AcmeId, Admin);
        return await call(scope.ServiceProvider.GetRequiredService<ScheduleService>());
    }

    [Fact]
    public async Task Creating_changing_and_removing_schedules_is_audited_with_before_and_after()
    {
        var clock = new FakeTimeProvider(Start);
        await using var p = await StartAsync(clock);
        var device = await p.QueryAsync(p.AcmeId, db => db.Devices.Where(d => d.Name == "acme-core-sw1").Select(d => d.Id).SingleAsync());

        await As(p, s => s.SetTenantDefaultAsync(new ScheduleInput { CronExpression = "0 2 * * *", TimeZoneId = "Europe/Zurich", JitterSeconds = 120 }));
        await As(p, s => s.SetTenantDefaultAsync(new ScheduleInput { CronExpression = "0 2 * * *", TimeZoneId = "Europe/Zurich", JitterSeconds = 120 })); // no change
        await As(p, s => s.SetTenantDefaultAsync(new ScheduleInput { CronExpression = ScheduleMath.EveryHours(6), TimeZoneId = "Europe/Zurich", JitterSeconds = 120 }));
        await As(p, s => s.SetGroupScheduleAsync(" core ", new ScheduleInput { CronExpression = "0 * * * *", TimeZoneId = "UTC", JitterSeconds = 0 }));
        await As(p, s => s.SetDeviceScheduleAsync(device, new ScheduleInput { CronExpression = "15 3 * * *", TimeZoneId = "America/New_York", Enabled = false }));
        Assert.True(await As(p, s => s.RemoveDeviceScheduleAsync(device)));
        Assert.False(await As(p, s => s.RemoveDeviceScheduleAsync(device)));

        var created = await p.EntriesAsync(p.AcmeId, AuditActions.ScheduleCreated);
        Assert.Equal(3, created.Count);
        var changed = Assert.Single(await p.EntriesAsync(p.AcmeId, AuditActions.ScheduleChanged));
        using (var d = JsonDocument.Parse(changed.DetailsJson))
        {
            Assert.Equal("tenant", d.RootElement.GetProperty("scope").GetString());
            Assert.Equal("0 2 * * *", d.RootElement.GetProperty("before").GetProperty("cron").GetString());
            Assert.Equal("0 */6 * * *", d.RootElement.GetProperty("after").GetProperty("cron").GetString());
        }
        var removed = Assert.Single(await p.EntriesAsync(p.AcmeId, AuditActions.ScheduleRemoved));
        Assert.Equal(device, removed.DeviceId);
        using (var d = JsonDocument.Parse(removed.DetailsJson))
        {
            Assert.Equal("America/New_York", d.RootElement.GetProperty("before").GetProperty("timeZone").GetString());
            Assert.Equal(JsonValueKind.Null, d.RootElement.GetProperty("after").ValueKind);
        }
        var tenant = await As(p, s => s.GetTenantSchedulesAsync());
        Assert.Equal("0 */6 * * *", tenant.TenantDefault!.CronExpression);
        Assert.Equal("core", Assert.Single(tenant.Groups).GroupName);
    }

    [Fact]
    public async Task Bad_input_is_rejected_with_errors_on_its_fields_and_changes_nothing()
    {
        var clock = new FakeTimeProvider(Start);
        await using var p = await StartAsync(clock);
        var before = await p.LastSequenceAsync(p.AcmeId);
        var ex = await Assert.ThrowsAsync<ValidationException>(() => As(p, s => s.SetTenantDefaultAsync(
            new ScheduleInput { CronExpression = "0 99 * * *", TimeZoneId = "Atlantis/Capital", JitterSeconds = 7200 })));
        Assert.Equal(["CronExpression", "JitterSeconds", "TimeZoneId"], ex.Errors.Keys.Order());
        Assert.Contains("IANA", ex.Errors["TimeZoneId"][0], StringComparison.Ordinal);
        var group = await Assert.ThrowsAsync<ValidationException>(() => As(p, s => s.SetGroupScheduleAsync("  ", new ScheduleInput())));
        Assert.Equal(["Group"], group.Errors.Keys);
        await Assert.ThrowsAsync<NotFoundException>(() => As(p, s => s.SetDeviceScheduleAsync(987_654, new ScheduleInput())));
        Assert.Empty(await p.QueryAsync(p.AcmeId, db => db.BackupSchedules.ToListAsync()));
        Assert.DoesNotContain(await p.QueryAsync(p.AcmeId, db => db.AuditEntries.Where(e => e.Sequence > before).ToListAsync()),
            e => e.Action.StartsWith("schedule_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_device_page_sees_the_schedule_in_effect_device_over_group_over_tenant_and_its_next_run()
    {
        var clock = new FakeTimeProvider(Start);
        await using var p = await StartAsync(clock);
        var (sw1, sw2) = await p.QueryAsync(p.AcmeId, async db => (
            await db.Devices.Where(d => d.Name == "acme-core-sw1").Select(d => d.Id).SingleAsync(),
            await db.Devices.Where(d => d.Name == "acme-core-sw2").Select(d => d.Id).SingleAsync()));
        await using (var scope = p.ScopeAs(p.AcmeId, Admin))
            await scope.ServiceProvider.GetRequiredService<DeviceService>().MoveToGroupAsync([sw1, sw2], "core");

        var none = await As(p, s => s.GetDeviceScheduleAsync(sw1));
        Assert.Null(none.Effective);
        Assert.Null(none.NextRunUtc);
        Assert.NotNull(none.Reason);

        await As(p, s => s.SetTenantDefaultAsync(new ScheduleInput { CronExpression = "0 2 * * *", TimeZoneId = "Europe/Zurich", JitterSeconds = 0 }));
        Assert.Equal(ScheduleScope.Tenant, (await As(p, s => s.GetDeviceScheduleAsync(sw1))).EffectiveScope);
        await As(p, s => s.SetGroupScheduleAsync("core", new ScheduleInput { CronExpression = "0 4 * * *", TimeZoneId = "Asia/Tokyo", JitterSeconds = 0 }));
        var group = await As(p, s => s.GetDeviceScheduleAsync(sw1));
        Assert.Equal(ScheduleScope.Group, group.EffectiveScope);
        // 04:00 in Tokyo (UTC+9) is 19:00 UTC; now is 12:00 UTC on 27 March.
        Assert.Equal(new DateTime(2026, 3, 27, 19, 0, 0, DateTimeKind.Utc), group.NextRunUtc);
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 4, 0, 0, TimeSpan.FromHours(9)), group.NextRunLocal);
        await As(p, s => s.SetDeviceScheduleAsync(sw1, new ScheduleInput { CronExpression = "30 2 * * *", TimeZoneId = "Europe/Zurich", JitterSeconds = 0 }));
        var own = await As(p, s => s.GetDeviceScheduleAsync(sw1));
        Assert.Equal(ScheduleScope.Device, own.EffectiveScope);
        Assert.Equal(new DateTime(2026, 3, 28, 1, 30, 0, DateTimeKind.Utc), own.NextRunUtc);
        // sw2 keeps its group's schedule.
        Assert.Equal(ScheduleScope.Group, (await As(p, s => s.GetDeviceScheduleAsync(sw2))).EffectiveScope);
        // A disabled device override turns scheduling off for that device only.
        await As(p, s => s.SetDeviceScheduleAsync(sw1, new ScheduleInput { CronExpression = "30 2 * * *", TimeZoneId = "Europe/Zurich", Enabled = false }));
        var off = await As(p, s => s.GetDeviceScheduleAsync(sw1));
        Assert.Null(off.NextRunUtc);
        Assert.Contains("disabled", off.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_planner_queues_each_device_once_per_slot_in_its_zone_across_a_DST_change_and_joins_a_manual_run()
    {
        var clock = new FakeTimeProvider(Start);
        await using var p = await StartAsync(clock);
        var ids = await p.QueryAsync(p.AcmeId, db => db.Devices.Where(d => d.Name.StartsWith("acme-core-sw")).OrderBy(d => d.Name).Select(d => d.Id).ToListAsync());
        await using (var scope = p.ScopeAs(p.AcmeId, Admin))
            await scope.ServiceProvider.GetRequiredService<DeviceService>().MoveToGroupAsync(ids, "core");
        // Daily at 02:30 Zurich with up to 10 minutes of jitter; the DST change is on 29 March (02:30 does not exist).
        await As(p, s => s.SetGroupScheduleAsync("core", new ScheduleInput { CronExpression = "30 2 * * *", TimeZoneId = "Europe/Zurich", JitterSeconds = 600 }));
        var planner = p.Services.GetRequiredService<SchedulePlanner>();

        async Task<List<BackupRun>> RunsAsync() => await p.QueryAsync(p.AcmeId, db => db.BackupRuns.AsNoTracking().Where(r => r.ScheduledSlotUtc != null).ToListAsync());

        // Before the first slot: nothing.
        clock.SetUtcNow(new DateTimeOffset(2026, 3, 28, 1, 29, 0, TimeSpan.Zero));
        Assert.Equal(0, (await planner.PlanAsync()).Queued);
        // 28 March 02:30 CET = 01:30 UTC; each device is due at slot + its own jitter, never before, always within 10 minutes.
        var slot1 = new DateTime(2026, 3, 28, 1, 30, 0, DateTimeKind.Utc);
        foreach (var second in Enumerable.Range(0, 601).Where(s => s % 30 == 0 || s == 600))
        {
            clock.SetUtcNow(slot1.AddSeconds(second));
            await planner.PlanAsync();
            foreach (var r in await RunsAsync())
                Assert.True(second >= ScheduleMath.JitterFor(r.DeviceId, 600), "queued before its jitter");
        }
        var first = await RunsAsync();
        Assert.Equal(ids.Order(), first.Select(r => r.DeviceId).Order());
        Assert.All(first, r => Assert.Equal(slot1, r.ScheduledSlotUtc));
        // Planning again (another instance, a repeated firing) adds nothing.
        Assert.Equal(0, (await planner.PlanAsync()).Queued);
        await p.RunPendingBackupsAsync();

        // A manual run in flight when the next slot comes: the slot joins it, no second run.
        TriggerResult manual;
        await using (var scope = p.ScopeAs(p.AcmeId, "operator@acme.example"))
            manual = await scope.ServiceProvider.GetRequiredService<BackupService>().TriggerAsync(ids[0], BackupTrigger.Manual);
        // 29 March: the DST gap; 02:30 local does not exist, the slot is 03:00 CEST = 01:00 UTC.
        var slot2 = new DateTime(2026, 3, 29, 1, 0, 0, DateTimeKind.Utc);
        clock.SetUtcNow(slot2.AddSeconds(600));
        var result = await planner.PlanAsync();
        Assert.Equal((ids.Count - 1, 1), (result.Queued, result.Joined));
        var joined = await p.QueryAsync(p.AcmeId, db => db.BackupRuns.AsNoTracking().SingleAsync(r => r.Id == manual.Run.Id));
        Assert.Equal((slot2, BackupTrigger.Manual, true), (joined.ScheduledSlotUtc, joined.Trigger, joined.JoinedSlot));
        await p.RunPendingBackupsAsync();
        Assert.Equal(0, (await planner.PlanAsync()).Queued);

        // 30 March: summer time, 02:30 CEST = 00:30 UTC.
        clock.SetUtcNow(new DateTime(2026, 3, 30, 0, 40, 0, DateTimeKind.Utc));
        Assert.Equal(ids.Count, (await planner.PlanAsync()).Queued);
        var bySlot = (await RunsAsync()).GroupBy(r => r.ScheduledSlotUtc!.Value).ToDictionary(g => g.Key, g => g.Select(r => r.DeviceId).Order().ToList());
        Assert.Equal([slot1, slot2, new DateTime(2026, 3, 30, 0, 30, 0, DateTimeKind.Utc)], bySlot.Keys.Order());
        Assert.All(bySlot.Values, devices => Assert.Equal(ids.Order(), devices));
    }
}
