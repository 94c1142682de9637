using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Scheduling;
using ConfigPortal.Infrastructure.Backups;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Infrastructure.Scheduling;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ConfigPortal.Infrastructure.Tests.Scheduling;

/// <summary>
/// Fencing (ADR-011): an instance that stalls longer than its run's lease while collecting, and is released after a
/// sweeper took the run over and re-queued the slot, must not commit: the slot keeps exactly one successful run and
/// one snapshot. Real SQLite file, the real pipeline, the real worker's sweeper; the stall is a collector that blocks.
/// </summary>
public sealed class LeaseFencingTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 4, 9, 10, 0, TimeSpan.Zero);
    private const string Stale = "stalled-instance";

    /// <summary>Returns a config at once, except that the first call blocks until <see cref="Release"/> (the stall).</summary>
    private sealed class StallingCollector : IDeviceCollector
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;
        public string Text { get; set; } = "hostname edge-1\n!\ninterface Ethernet1\n description uplink\n!\nend\n";
        public bool FailWhenReleased { get; set; }
        public DeviceDriver Driver => DeviceDriver.Simulator;
        public Task Entered => _entered.Task;
        public void Release() => _release.TrySetResult();

        public async Task<CollectedConfig> CollectAsync(CollectionRequest request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                _entered.TrySetResult();
                await _release.Task; // ignores cancellation: a frozen process
                if (FailWhenReleased)
                    throw new BackupFailedException(FailureKind.Unreachable, "The device did not answer.");
            }
            return new CollectedConfig(Text);
        }
    }

    private static async Task<(PortalHost Portal, FakeTimeProvider Clock, StallingCollector Collector)> StartAsync()
    {
        var clock = new FakeTimeProvider(Start);
        var collector = new StallingCollector();
        var p = await PortalHost.StartAsync(runBaselineBackups: false, new Dictionary<string, string?>
        {
            ["Backups:RunLease"] = "00:02:00",
            ["Backups:JobTimeout"] = "00:10:00", // on the real clock: the stall outlives the lease (fake clock), not the job limit
        }, b =>
        {
            b.Services.AddSingleton<TimeProvider>(clock);
            b.Services.AddSingleton(new SchedulingClock(clock));
            b.Services.RemoveAll<IDeviceCollector>();
            b.Services.AddSingleton<IDeviceCollector>(collector);
        });
        return (p, clock, collector);
    }

    /// <summary>An hourly device schedule set at <see cref="Start"/>; the planner queues the 10:00 slot for the device.</summary>
    private static async Task<(int Device, DateTime Slot, long RunId)> PlanSlotAsync(PortalHost p, FakeTimeProvider clock)
    {
        var device = await p.QueryAsync(p.AcmeId, db => db.Devices.Where(d => d.Name == "acme-core-sw1").Select(d => d.Id).SingleAsync());
        await using (var scope = p.ScopeAs(p.AcmeId, "admin@acme.example"))
            await scope.ServiceProvider.GetRequiredService<ScheduleService>().SetDeviceScheduleAsync(device,
                new ScheduleInput { CronExpression = "0 * * * *", TimeZoneId = "UTC", JitterSeconds = 0 });
        var slot = new DateTime(2026, 5, 4, 10, 0, 0, DateTimeKind.Utc);
        clock.SetUtcNow(slot.AddSeconds(5));
        await p.Services.GetRequiredService<SchedulePlanner>().PlanAsync();
        var runId = await p.QueryAsync(p.AcmeId, db => db.BackupRuns.Where(r => r.DeviceId == device && r.ScheduledSlotUtc == slot).Select(r => r.Id).SingleAsync());
        return (device, slot, runId);
    }

    private static BackupWorker Worker(PortalHost p) => p.Services.GetServices<IHostedService>().OfType<BackupWorker>().Single();

    /// <summary>Executes the run as a worker of <see cref="Stale"/> would: the pipeline's claim leases it for that instance.</summary>
    private static async Task<Task> StartStalledAttemptAsync(PortalHost p, FakeTimeProvider clock, long runId, StallingCollector collector)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var attempt = Task.Run(async () =>
        {
            await using var scope = p.SystemScope(p.AcmeId);
            Assert.True(await scope.ServiceProvider.GetRequiredService<BackupPipeline>().ExecuteAsync(runId, new RunLease(Stale, now, now.AddMinutes(2))));
        });
        await collector.Entered.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Stale, await p.QueryAsync(p.AcmeId, db => db.BackupRuns.Where(r => r.Id == runId).Select(r => r.OwnerInstanceId).SingleAsync()));
        return attempt;
    }

    [Theory]
    [InlineData(true)]  // the retry commits first, then the stalled attempt wakes up (it would be a duplicate of the retry's snapshot)
    [InlineData(false)] // the stalled attempt wakes up before the retry runs (it would be the slot's first snapshot)
    public async Task A_stalled_attempt_released_after_the_sweeper_requeued_its_slot_stores_nothing(bool retryFirst)
    {
        var (p, clock, collector) = await StartAsync();
        await using var _ = p;
        var (device, slot, staleRun) = await PlanSlotAsync(p, clock);
        var stalled = await StartStalledAttemptAsync(p, clock, staleRun, collector);

        // The lease runs out (no heartbeat from the stalled instance); this instance's sweeper takes the run over.
        clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(1, await Worker(p).SweepAsync(CancellationToken.None));
        var retry = await p.QueryAsync(p.AcmeId, db => db.BackupRuns.AsNoTracking().SingleAsync(r => r.ScheduledSlotUtc == slot && r.SlotAttempt == 1));
        Assert.Equal(BackupRunStatus.Queued, retry.Status);

        if (retryFirst)
        {
            await p.ExecuteRunAsync(p.AcmeId, retry.Id);
            collector.Release();
            await stalled.WaitAsync(TimeSpan.FromSeconds(60));
        }
        else
        {
            collector.Release();
            await stalled.WaitAsync(TimeSpan.FromSeconds(60));
            await p.ExecuteRunAsync(p.AcmeId, retry.Id);
        }

        var runs = await p.QueryAsync(p.AcmeId, db => db.BackupRuns.AsNoTracking().Where(r => r.DeviceId == device).OrderBy(r => r.Id).ToListAsync());
        var ok = Assert.Single(runs, r => r.Status == BackupRunStatus.Succeeded);
        Assert.Equal((slot, 1, RunOutcome.Created), (ok.ScheduledSlotUtc, ok.SlotAttempt, ok.Outcome));
        var lost = Assert.Single(runs, r => r.Id == staleRun);
        Assert.Equal((BackupRunStatus.Failed, FailureKind.Interrupted, (long?)null, (int?)null), (lost.Status, lost.FailureKind, lost.SnapshotId, lost.ActiveDeviceId));
        Assert.Equal(BackupPipeline.LateResultMessage, lost.Message);

        // One snapshot, created by the retry, seen once: the stalled attempt neither stored nor deduplicated.
        var snapshot = Assert.Single(await p.QueryAsync(p.AcmeId, db => db.Snapshots.AsNoTracking().Where(s => s.DeviceId == device).ToListAsync()));
        Assert.Equal((retry.Id, 1), (snapshot.CreatedByRunId, snapshot.SeenCount));
        var deviceRow = await p.QueryAsync(p.AcmeId, db => db.Devices.AsNoTracking().SingleAsync(d => d.Id == device));
        Assert.Equal((snapshot.Id, 1), (deviceRow.LatestSnapshotId, deviceRow.SnapshotCount));
        // Run count: the interrupted attempt (sweeper) + the retry; the late result adds nothing.
        Assert.Equal(2, deviceRow.RunCount);
        var audited = await p.EntriesAsync(p.AcmeId, Domain.Audit.AuditActions.ConfigSnapshotCreated);
        Assert.Single(audited, e => e.DeviceId == device);
        Assert.DoesNotContain(await p.EntriesAsync(p.AcmeId, Domain.Audit.AuditActions.ConfigSnapshotSkippedDuplicate), e => e.DeviceId == device);
        Assert.Contains(p.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("lost its lease before it could commit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stalled_attempt_that_fails_after_the_takeover_does_not_overwrite_the_sweepers_result()
    {
        var (p, clock, collector) = await StartAsync();
        await using var _ = p;
        collector.FailWhenReleased = true;
        var (device, slot, staleRun) = await PlanSlotAsync(p, clock);
        var stalled = await StartStalledAttemptAsync(p, clock, staleRun, collector);
        clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(1, await Worker(p).SweepAsync(CancellationToken.None));
        var retry = await p.QueryAsync(p.AcmeId, db => db.BackupRuns.AsNoTracking().SingleAsync(r => r.ScheduledSlotUtc == slot && r.SlotAttempt == 1));
        await p.ExecuteRunAsync(p.AcmeId, retry.Id);
        collector.Release();
        await stalled.WaitAsync(TimeSpan.FromSeconds(60));

        var lost = await p.QueryAsync(p.AcmeId, db => db.BackupRuns.AsNoTracking().SingleAsync(r => r.Id == staleRun));
        Assert.Equal(FailureKind.Interrupted, lost.FailureKind); // not overwritten by the late "unreachable"
        var deviceRow = await p.QueryAsync(p.AcmeId, db => db.Devices.AsNoTracking().SingleAsync(d => d.Id == device));
        Assert.Equal((RunOutcome?)RunOutcome.Created, deviceRow.LastRunOutcome); // the retry's success stays the device's last result
        Assert.Equal(2, deviceRow.RunCount);
        Assert.Contains(p.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("failed after it lost its lease", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_run_that_keeps_its_lease_commits_as_before()
    {
        var (p, clock, collector) = await StartAsync();
        await using var _ = p;
        var (device, slot, runId) = await PlanSlotAsync(p, clock);
        var attempt = await StartStalledAttemptAsync(p, clock, runId, collector);
        clock.Advance(TimeSpan.FromMinutes(1)); // within the lease: the sweeper leaves it alone
        Assert.Equal(0, await Worker(p).SweepAsync(CancellationToken.None));
        collector.Release();
        await attempt.WaitAsync(TimeSpan.FromSeconds(60));
        var run = await p.QueryAsync(p.AcmeId, db => db.BackupRuns.AsNoTracking().SingleAsync(r => r.Id == runId));
        Assert.Equal((BackupRunStatus.Succeeded, RunOutcome.Created, slot), (run.Status, run.Outcome!.Value, run.ScheduledSlotUtc!.Value));
        Assert.Single(await p.QueryAsync(p.AcmeId, db => db.Snapshots.Where(s => s.DeviceId == device).ToListAsync()));
    }
}
