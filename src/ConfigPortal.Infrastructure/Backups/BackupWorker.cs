using System.Collections.Concurrent;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Persistence;
using ConfigPortal.Infrastructure.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Infrastructure.Backups;

/// <summary>
/// Executes queued runs, at most <see cref="RunsInFlight"/> at a time (of which <see cref="BackupOptions.MaxConcurrentSessions"/>
/// talk to their devices, <see cref="DeviceSessionSlots"/>), each in its own DI scope
/// bound to the run's tenant. Before executing a run it leases it for this instance (<see cref="PortalInstance"/>)
/// and renews the lease by a heartbeat while the run goes on; a sweeper, on every instance, fails runs whose lease
/// expired (their instance died) and frees their devices — a scheduled run is re-queued for the same slot as the next
/// attempt. On start it re-queues the runs left queued; it no longer touches running runs (other instances may own them).
/// </summary>
public sealed class BackupWorker(
    BackupQueue queue,
    IServiceScopeFactory scopes,
    PlatformQueries platform,
    PortalInstance instance,
    SchedulingClock clock,
    DeviceSessionSlots sessions,
    IOptions<BackupOptions> options,
    ILogger<BackupWorker> logger) : BackgroundService
{
    /// <summary>Runs this instance leased and is executing (their leases are renewed by the heartbeat).</summary>
    private readonly ConcurrentDictionary<long, byte> _inFlight = new();

    internal IReadOnlyCollection<long> InFlight => _inFlight.Keys.ToList();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RecoverAsync(stoppingToken);
        var poll = PollAsync(stoppingToken);
        var heartbeat = HeartbeatAsync(stoppingToken);
        var sweep = SweepLoopAsync(stoppingToken);
        // Runs in flight: the device sessions (capped by DeviceSessionSlots inside the pipeline) and as many again whose
        // sessions are over and whose configs are being normalized and committed, so a slow commit does not hold a
        // session slot, and a long queue is not started all at once.
        using var slots = new SemaphoreSlim(RunsInFlight);
        var running = new HashSet<Task>();
        try
        {
            await foreach (var (runId, tenantId) in queue.Reader.ReadAllAsync(stoppingToken))
            {
                await slots.WaitAsync(stoppingToken);
                var task = Task.Run(async () =>
                {
                    try { await RunOneAsync(runId, tenantId, stoppingToken); }
                    finally { slots.Release(); }
                }, CancellationToken.None);
                lock (running) running.Add(task);
                _ = task.ContinueWith(t => { lock (running) running.Remove(t); }, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        Task[] pending;
        lock (running) pending = running.ToArray();
        await Task.WhenAll(pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Task.WhenAll(poll, heartbeat, sweep).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>How many runs the worker executes at once: twice the device-session cap (ADR-017).</summary>
    internal int RunsInFlight => 2 * sessions.Capacity;

    /// <summary>
    /// Picks up runs queued by other instances (a web-only instance queues rows, not messages). A run queued twice
    /// executes once: the lease and the pipeline's claim are both atomic.
    /// </summary>
    private async Task PollAsync(CancellationToken ct)
    {
        var interval = options.Value.PollInterval;
        if (interval <= TimeSpan.Zero) return;
        await EveryAsync(interval, "Polling for queued backup runs", async () =>
        {
            var pending = await platform.PendingRunsAsync(ct);
            queue.Retain(pending.Select(p => p.RunId).ToHashSet());
            foreach (var (runId, tenantId, status, _) in pending)
            {
                if (status == BackupRunStatus.Queued)
                    await queue.EnqueueIfNewAsync(runId, tenantId, ct);
            }
        }, ct);
    }

    /// <summary>Renews this instance's leases well before they expire.</summary>
    private Task HeartbeatAsync(CancellationToken ct)
    {
        var interval = options.Value.HeartbeatInterval;
        if (interval <= TimeSpan.Zero) return Task.CompletedTask;
        return EveryAsync(interval, "Renewing backup run leases", async () =>
        {
            var ids = _inFlight.Keys.ToList();
            if (ids.Count > 0)
                await platform.RenewLeasesAsync(ids, instance.Id, clock.UtcNow + options.Value.RunLease, ct);
        }, ct);
    }

    private Task SweepLoopAsync(CancellationToken ct)
    {
        var interval = options.Value.SweepInterval;
        if (interval <= TimeSpan.Zero) return Task.CompletedTask;
        return EveryAsync(interval, "Sweeping expired backup run leases", () => SweepAsync(ct), ct);
    }

    /// <summary>
    /// Recovers runs whose lease expired: a still-queued run is released to every instance; a started one is failed
    /// (interrupted), which frees its device, and a scheduled one is re-queued for the same slot as the next attempt
    /// (up to <see cref="BackupOptions.MaxSlotAttempts"/>). Only the sweeper that takes the lease over acts.
    /// </summary>
    internal async Task<int> SweepAsync(CancellationToken ct)
    {
        var now = clock.UtcNow;
        var lease = options.Value.RunLease;
        var recovered = 0;
        foreach (var run in await platform.ExpiredLeasesAsync(now, now - lease, ct))
        {
            if (run.Owner == instance.Id && _inFlight.ContainsKey(run.RunId)) continue; // ours, alive: the heartbeat renews it
            if (!await platform.TakeOverAsync(run, instance.Id, now + lease, ct)) continue; // another sweeper won
            recovered++;
            if (run.Status == BackupRunStatus.Queued)
            {
                await platform.ReleaseQueuedAsync(run.RunId, instance.Id, ct);
                continue;
            }
            logger.LogWarning("Backup run {RunId} of device {DeviceId} lost its lease (instance {Owner}); marking it interrupted",
                run.RunId, run.DeviceId, run.Owner ?? "unknown");
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(run.TenantId);
            scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
            await scope.ServiceProvider.GetRequiredService<BackupPipeline>().MarkInterruptedAsync(run.RunId);
            if (run.Trigger == BackupTrigger.Schedule && run.ScheduledSlotUtc is { } slot && run.SlotAttempt + 1 < options.Value.MaxSlotAttempts)
                await RequeueSlotAsync(scope.ServiceProvider, run, slot, ct);
        }
        return recovered;
    }

    private async Task RequeueSlotAsync(IServiceProvider services, ExpiredRun run, DateTime slot, CancellationToken ct)
    {
        await using var db = await services.GetRequiredService<IPortalDbFactory>().CreateAsync(ct);
        var retry = BackupRun.ForScheduleSlot(run.TenantId, run.DeviceId, slot, run.SlotAttempt + 1, clock.UtcNow);
        db.BackupRuns.Add(retry);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The device got another run meanwhile (a manual one), or the retry exists: nothing to add.
            return;
        }
        await queue.EnqueueAsync(retry.Id, retry.TenantId, ct);
        logger.LogInformation("Backup run {RunId} re-queued for slot {Slot:o} of device {DeviceId} (attempt {Attempt})", retry.Id, slot, run.DeviceId, retry.SlotAttempt);
    }

    private async Task EveryAsync(TimeSpan interval, string what, Func<Task> action, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await action();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning("{What} failed: {ErrorType}", what, ex.GetType().FullName);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task RunOneAsync(long runId, int tenantId, CancellationToken ct)
    {
        try
        {
            var now = clock.UtcNow;
            // The pipeline's claim leases the run for this instance in the same statement; a run another instance
            // holds (or no longer queued) is not claimed. Listed as in flight first, so the heartbeat renews the
            // lease from the moment it exists (renewing a lease this instance does not hold changes nothing).
            _inFlight.TryAdd(runId, 0);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
                scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
                await scope.ServiceProvider.GetRequiredService<BackupPipeline>()
                    .ExecuteAsync(runId, new RunLease(instance.Id, now, now + options.Value.RunLease), ct);
            }
            finally
            {
                _inFlight.TryRemove(runId, out _);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogError("Backup run {RunId} crashed: {ErrorType} {StackTrace}", runId, ex.GetType().FullName, ex.StackTrace);
        }
    }

    /// <summary>Re-queues the runs left queued (by this or any instance). Running runs are the sweeper's, by lease.</summary>
    private async Task RecoverAsync(CancellationToken ct)
    {
        try
        {
            foreach (var (runId, tenantId, status, _) in await platform.PendingRunsAsync(ct))
            {
                if (status == BackupRunStatus.Queued)
                    await queue.EnqueueIfNewAsync(runId, tenantId, ct);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError("Recovering pending backup runs failed: {ErrorType}", ex.GetType().FullName);
        }
    }
}
