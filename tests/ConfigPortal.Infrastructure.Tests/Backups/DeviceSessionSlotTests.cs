using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Infrastructure.Collectors.Simulator;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Backups;

/// <summary>
/// The device-session cap (ADR-017) on a real SQLite file: a slot is held from the claim until the device session is
/// over, not while the config is normalized and committed, and never more sessions than the cap run at once. Also the
/// single-statement writes that queue at the in-process SQLite writer gate (the claim's UPDATE).
/// </summary>
public sealed class DeviceSessionSlotTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The simulator, counting how many collections run at once.</summary>
    private sealed class CountingCollector(IDeviceCollector inner) : IDeviceCollector
    {
        private int _active;
        public int MaxActive;
        public DeviceDriver Driver => inner.Driver;

        public async Task<CollectedConfig> CollectAsync(CollectionRequest request, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _active);
            lock (this) MaxActive = Math.Max(MaxActive, now);
            try
            {
                await Task.Delay(20, cancellationToken); // long enough for sessions to overlap if the cap allowed it
                return await inner.CollectAsync(request, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _active);
            }
        }
    }

    private static async Task<(PortalHost Portal, CountingCollector Collector)> StartAsync(int sessions)
    {
        CountingCollector? counting = null;
        var portal = await PortalHost.StartAsync(runBaselineBackups: false,
            settings: new Dictionary<string, string?> { ["Backups:MaxConcurrentSessions"] = sessions.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            configure: builder =>
            {
                var simulator = builder.Services.Single(s => s.ServiceType == typeof(IDeviceCollector) && s.ImplementationType == typeof(SimulatedDeviceCollector));
                var at = builder.Services.IndexOf(simulator);
                builder.Services.RemoveAt(at);
                builder.Services.Insert(at, ServiceDescriptor.Singleton<IDeviceCollector>(sp =>
                    counting = new CountingCollector(ActivatorUtilities.CreateInstance<SimulatedDeviceCollector>(sp))));
            });
        _ = portal.Services.GetServices<IDeviceCollector>().ToList();
        return (portal, counting!);
    }

    private static async Task<long> TriggerAsync(PortalHost portal, int tenantId, int deviceId)
    {
        await using var scope = portal.ScopeAs(tenantId, "operator@acme.example");
        return (await scope.ServiceProvider.GetRequiredService<BackupService>().TriggerAsync(deviceId, BackupTrigger.Manual)).Run.Id;
    }

    [Fact]
    public async Task A_run_whose_session_is_over_does_not_hold_the_only_slot_while_it_is_stored()
    {
        var (portal, collector) = await StartAsync(sessions: 1);
        await using var _ = portal;
        var acme = portal.AcmeId;
        var first = await portal.CreateDeviceAsync(acme, "slot-first", SimulatorBehavior.Static);
        var second = await portal.CreateDeviceAsync(acme, "slot-second", SimulatorBehavior.Static);
        var firstRun = await TriggerAsync(portal, acme, first);
        var secondRun = await TriggerAsync(portal, acme, second);

        // Hold the first run after its collection, before it is normalized and committed (its "processing" event).
        var notifier = portal.Services.GetRequiredService<BackupNotifier>();
        var firstProcessing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task Hold(BackupRunChanged change)
        {
            if (change.Run.Id != firstRun || change.Run.Status != BackupRunStatus.Processing) return Task.CompletedTask;
            firstProcessing.TrySetResult();
            return releaseFirst.Task;
        }
        notifier.RunChanged += Hold;
        try
        {
            var firstTask = Task.Run(() => portal.ExecuteRunAsync(acme, firstRun), Ct);
            await firstProcessing.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

            // The only session slot is free again: the second device is collected and stored while the first waits.
            await Task.Run(() => portal.ExecuteRunAsync(acme, secondRun), Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
            var runs = await portal.QueryAsync(acme, db => db.BackupRuns.Where(r => r.Id == firstRun || r.Id == secondRun).ToDictionaryAsync(r => r.Id, r => r.Status, Ct));
            Assert.Equal(BackupRunStatus.Succeeded, runs[secondRun]);
            Assert.NotEqual(BackupRunStatus.Succeeded, runs[firstRun]);

            releaseFirst.SetResult();
            await firstTask.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        }
        finally
        {
            releaseFirst.TrySetResult();
            notifier.RunChanged -= Hold;
        }
        var outcomes = await portal.QueryAsync(acme, db => db.BackupRuns.Where(r => r.Id == firstRun || r.Id == secondRun).Select(r => r.Outcome).ToListAsync(Ct));
        Assert.All(outcomes, o => Assert.Equal(RunOutcome.Created, o));
        Assert.Equal(1, collector.MaxActive);
    }

    [Fact]
    public async Task Concurrent_runs_never_collect_more_devices_at_once_than_the_cap()
    {
        var (portal, collector) = await StartAsync(sessions: 3);
        await using var _ = portal;
        var acme = portal.AcmeId;
        var runs = new List<long>();
        for (var i = 0; i < 12; i++)
            runs.Add(await TriggerAsync(portal, acme, await portal.CreateDeviceAsync(acme, $"slot-cap-{i}", SimulatorBehavior.Static)));

        await Task.WhenAll(runs.Select(r => Task.Run(() => portal.ExecuteRunAsync(acme, r), Ct)));

        Assert.Equal(3, collector.MaxActive);
        Assert.Equal(0, portal.Services.GetRequiredService<DeviceSessionSlots>().InUse);
        var outcomes = await portal.QueryAsync(acme, db => db.BackupRuns.Where(r => runs.Contains(r.Id)).Select(r => r.Outcome).ToListAsync(Ct));
        Assert.Equal(12, outcomes.Count(o => o == RunOutcome.Created));
    }

    [Fact]
    public async Task A_single_write_waits_at_the_writer_gate_for_a_transaction_and_then_applies()
    {
        var portal = await PortalHost.StartAsync(runBaselineBackups: false);
        await using var _ = portal;
        var acme = portal.AcmeId;
        var device = await portal.CreateDeviceAsync(acme, "gate-device", SimulatorBehavior.Static);
        await using var scope = portal.SystemScope(acme);
        var factory = scope.ServiceProvider.GetRequiredService<IPortalDbFactory>();

        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var holder = await factory.CreateAsync(Ct);
        var held = holder.ExecuteInTransactionAsync(async ct =>
        {
            await holder.Devices.Where(d => d.Id == device).ExecuteUpdateAsync(s => s.SetProperty(d => d.LastRunMessage, "held"), ct);
            holding.SetResult();
            await release.Task;
        }, Ct);
        await holding.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        await using var writer = await factory.CreateAsync(Ct);
        var write = writer.ExecuteWriteAsync(ct => writer.Database.ExecuteSqlRawAsync(
            "UPDATE Devices SET LastRunMessage = {0} WHERE Id = {1} AND TenantId = {2}", ["written", device, acme], ct), Ct);
        await Task.Delay(300, Ct);
        Assert.False(write.IsCompleted, "The write ran while another transaction held the database.");

        release.SetResult();
        await held;
        Assert.Equal(1, await write.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        Assert.Equal("written", await portal.QueryAsync(acme, db => db.Devices.Where(d => d.Id == device).Select(d => d.LastRunMessage).SingleAsync(Ct)));

        // Inside a transaction the gate is already held: a nested single write is a programming error, not a deadlock.
        await using var nested = await factory.CreateAsync(Ct);
        await Assert.ThrowsAsync<InvalidOperationException>(() => nested.ExecuteInTransactionAsync(
            ct => nested.ExecuteWriteAsync(inner => Task.FromResult(0), ct), Ct));
    }

    [Fact]
    public async Task The_collector_warm_up_runs_once_when_the_worker_starts_and_needs_no_device()
    {
        // Every vendor pattern and the SSH crypto once, offline; then the hosted service completes on a started host.
        ConfigPortal.Infrastructure.Collectors.CollectorWarmup.Run(Ct);
        var portal = await PortalHost.StartAsync(runBaselineBackups: false);
        await using var _ = portal;
        await portal.Host.StartAsync(Ct);
        try
        {
            var took = await portal.Services.GetRequiredService<ConfigPortal.Infrastructure.Collectors.CollectorWarmup>().Completion.WaitAsync(TimeSpan.FromSeconds(60), Ct);
            Assert.True(took > TimeSpan.Zero);
            Assert.Contains(portal.Logs.GetSnapshot(), r => r.Message.StartsWith("Collector warm-up done", StringComparison.Ordinal));
        }
        finally
        {
            await portal.Host.StopAsync(CancellationToken.None);
        }
    }
}
