using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Scheduling;
using ConfigPortal.Infrastructure.Scheduling;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ConfigPortal.Infrastructure.Tests.Scheduling;

/// <summary>
/// Slots that never run are recorded as skipped runs (status Skipped, with the reason), on the fake clock: a slot
/// that came while the device's previous scheduled run was still in flight, and slots no instance planned because the
/// scheduler was down. Real SQLite file, the real planner and Runs query.
/// </summary>
public sealed class MissedSlotTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 8, 10, 0, TimeSpan.Zero);
    private static DateTime At(int hour, int minute = 0) => new(2026, 6, 1, hour, minute, 0, DateTimeKind.Utc);

    private static async Task<(PortalHost Portal, FakeTimeProvider Clock, int Device, SchedulePlanner Planner)> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var clock = new FakeTimeProvider(Start);
        var p = await PortalHost.StartAsync(settings: settings, configure: b =>
        {
            b.Services.AddSingleton<TimeProvider>(clock);
            b.Services.AddSingleton(new SchedulingClock(clock));
        });
        var device = await p.QueryAsync(p.AcmeId, db => db.Devices.Where(d => d.Name == "acme-core-sw1").Select(d => d.Id).SingleAsync());
        await using (var scope = p.ScopeAs(p.AcmeId, "admin@acme.example"))
            await scope.ServiceProvider.GetRequiredService<ScheduleService>().SetDeviceScheduleAsync(device,
                new ScheduleInput { CronExpression = "0 * * * *", TimeZoneId = "UTC", JitterSeconds = 0 });
        return (p, clock, device, p.Services.GetRequiredService<SchedulePlanner>());
    }

    private static Task<List<BackupRun>> SlotRunsAsync(PortalHost p, int device) =>
        p.QueryAsync(p.AcmeId, db => db.BackupRuns.AsNoTracking().Where(r => r.DeviceId == device && r.ScheduledSlotUtc != null)
            .OrderBy(r => r.ScheduledSlotUtc).ThenBy(r => r.SlotAttempt).ToListAsync());

    [Fact]
    public async Task A_slot_that_came_while_the_previous_run_was_still_in_flight_is_recorded_as_skipped_and_the_next_slot_runs()
    {
        var (p, clock, device, planner) = await StartAsync();
        await using var _ = p;

        clock.SetUtcNow(At(9, 1));
        Assert.Equal(1, (await planner.PlanAsync()).Queued); // slot 09:00 queued, not executed yet (a slow device, a backlog)
        clock.SetUtcNow(At(10, 1));
        var waiting = await planner.PlanAsync();
        Assert.Equal((0, 1, 0), (waiting.Queued, waiting.Waiting, waiting.Missed)); // 10:00 waits for the 09:00 run
        clock.SetUtcNow(At(11, 1));
        Assert.Equal((0, 1), ((await planner.PlanAsync()).Queued, (await planner.PlanAsync()).Waiting)); // 11:00 now supersedes 10:00

        await p.RunPendingBackupsAsync(); // the 09:00 run finishes at 11:01, after the 10:00 slot was due
        clock.SetUtcNow(At(11, 2));
        var pass = await planner.PlanAsync();
        Assert.Equal((1, 1), (pass.Queued, pass.Missed));
        Assert.Equal(0, (await planner.PlanAsync()).Missed); // recorded once

        var runs = await SlotRunsAsync(p, device);
        Assert.Equal([At(9), At(10), At(11)], runs.Select(r => r.ScheduledSlotUtc!.Value));
        var skipped = runs[1];
        Assert.Equal((BackupRunStatus.Skipped, BackupTrigger.Schedule, (int?)null, (RunOutcome?)null, true),
            (skipped.Status, skipped.Trigger, skipped.ActiveDeviceId, skipped.Outcome, skipped.IsFinished));
        Assert.Equal("Slot 2026-06-01 10:00 UTC skipped: the device's previous run was still in progress when this slot came due.", skipped.Message);
        Assert.Equal(BackupRunStatus.Queued, runs[2].Status);

        // The Runs page lists it, filterable as "skipped"; the device's last result is untouched.
        await using (var scope = p.ScopeAs(p.AcmeId, "operator@acme.example"))
        {
            var page = await scope.ServiceProvider.GetRequiredService<RunQueryService>().QueryKeysetAsync(new RunFilter { Status = RunStatusFilter.Skipped }, null, 50);
            var item = Assert.Single(page.Items);
            Assert.Equal((skipped.Id, BackupRunStatus.Skipped, SchedulePlanner.MissedMessage(At(10), busy: true)), (item.Id, item.Status, item.Message));
        }
        var deviceRow = await p.QueryAsync(p.AcmeId, db => db.Devices.AsNoTracking().SingleAsync(d => d.Id == device));
        Assert.NotEqual((RunOutcome?)null, deviceRow.LastRunOutcome);
        Assert.NotEqual(RunOutcome.Failed, deviceRow.LastRunOutcome!.Value);
    }

    [Fact]
    public async Task Slots_missed_while_the_scheduler_was_down_are_recorded_once_and_only_the_latest_is_made_up()
    {
        var (p, clock, device, planner) = await StartAsync();
        await using var _ = p;
        clock.SetUtcNow(At(9, 1));
        await planner.PlanAsync();
        await p.RunPendingBackupsAsync();

        // Every instance down from 09:05 to 13:20: 10:00, 11:00 and 12:00 were never planned; 13:00 is made up.
        clock.SetUtcNow(At(13, 20));
        var pass = await planner.PlanAsync();
        Assert.Equal((1, 3), (pass.Queued, pass.Missed));
        // Another instance (or a repeated firing) planning the same pass records nothing twice.
        var other = new SchedulePlanner(p.Services.GetRequiredService<Persistence.PlatformQueries>(), p.Services.GetRequiredService<IServiceScopeFactory>(),
            p.Services.GetRequiredService<IBackupQueue>(), p.Services.GetRequiredService<BackupNotifier>(), p.Services.GetRequiredService<SchedulingClock>(),
            p.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SchedulingOptions>>(), new SchedulerHealth(),
            p.Services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<SchedulePlanner>>());
        Assert.Equal((0, 0), ((await other.PlanAsync()).Queued, (await other.PlanAsync()).Missed));

        var runs = await SlotRunsAsync(p, device);
        Assert.Equal([At(9), At(10), At(11), At(12), At(13)], runs.Select(r => r.ScheduledSlotUtc!.Value));
        Assert.All(runs.Skip(1).Take(3), r => Assert.Equal((BackupRunStatus.Skipped, SchedulePlanner.MissedMessage(r.ScheduledSlotUtc!.Value, busy: false)), (r.Status, r.Message)));
        Assert.Equal("Slot 2026-06-01 11:00 UTC missed: no instance planned this slot in time (the scheduler was down or behind).", runs[2].Message);
        Assert.Equal((BackupRunStatus.Succeeded, BackupRunStatus.Queued), (runs[0].Status, runs[4].Status));
    }

    [Fact]
    public async Task Nothing_is_recorded_before_the_schedule_existed_or_beyond_the_lookback_or_when_turned_off()
    {
        // A schedule created at 08:10 with no slot served yet: its first slot 09:00 runs, nothing before it is "missed".
        var (p, clock, device, planner) = await StartAsync(new Dictionary<string, string?> { ["Scheduling:MissedSlotLookback"] = "02:00:00" });
        await using (p)
        {
            clock.SetUtcNow(At(9, 1));
            Assert.Equal((1, 0), ((await planner.PlanAsync()).Queued, (await planner.PlanAsync()).Missed));
            await p.RunPendingBackupsAsync();
            // Down until 15:30: 10:00–14:00 missed, but only the slots within the 2 h lookback (13:30–15:00 → 14:00) are recorded.
            clock.SetUtcNow(At(15, 30));
            Assert.Equal(1, (await planner.PlanAsync()).Missed);
            Assert.Equal([At(9), At(14), At(15)], (await SlotRunsAsync(p, device)).Select(r => r.ScheduledSlotUtc!.Value));
        }

        var (q, clock2, device2, planner2) = await StartAsync(new Dictionary<string, string?> { ["Scheduling:MissedSlotLookback"] = "00:00:00" });
        await using (q)
        {
            clock2.SetUtcNow(At(9, 1));
            await planner2.PlanAsync();
            await q.RunPendingBackupsAsync();
            clock2.SetUtcNow(At(12, 1));
            Assert.Equal((1, 0), ((await planner2.PlanAsync()).Queued, 0));
            Assert.DoesNotContain(await SlotRunsAsync(q, device2), r => r.Status == BackupRunStatus.Skipped);
        }
    }

    [Fact]
    public async Task A_skipped_slot_does_not_break_a_failure_streak()
    {
        var (p, clock, device, planner) = await StartAsync();
        await using var _ = p;
        await p.QueryAsync(p.AcmeId, db => db.Devices.Where(d => d.Id == device)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.SimulatorBehavior, SimulatorBehavior.AuthFailure)));
        var channel = await p.QueryAsync(p.AcmeId, async db =>
        {
            var c = new Domain.Notifications.NotificationChannel
            {
                TenantId = p.AcmeId, Name = "streak", Kind = Domain.Notifications.NotificationChannelKind.Webhook, WebhookUrl = "http://127.0.0.1:9/hook",
                OnConfigChanged = false, OnBackupsFailing = true, FailureThreshold = 2, CreatedAtUtc = Start.UtcDateTime, UpdatedAtUtc = Start.UtcDateTime,
            };
            db.NotificationChannels.Add(c);
            await db.SaveChangesAsync();
            return c.Id;
        });
        clock.SetUtcNow(At(9, 1));
        await planner.PlanAsync();
        await p.RunPendingBackupsAsync(); // failed
        clock.SetUtcNow(At(11, 1));
        Assert.Equal(1, (await planner.PlanAsync()).Missed); // 10:00 skipped (down)
        await p.RunPendingBackupsAsync(); // failed again
        var finished = (await SlotRunsAsync(p, device)).Select(r => r.Status).ToList();
        Assert.Equal([BackupRunStatus.Failed, BackupRunStatus.Skipped, BackupRunStatus.Failed], finished);
        // Two failures in a row with a skipped slot between them: the threshold-2 failure notice is queued.
        Assert.Single(await p.QueryAsync(p.AcmeId, db => db.NotificationDeliveries.Where(d => d.ChannelId == channel).ToListAsync()));
    }
}
