using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Scheduling;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Persistence;
using Cronos;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConfigPortal.Infrastructure.Scheduling;

public sealed class SchedulingOptions
{
    /// <summary>Run the scheduler (Quartz + the planner) in this instance; only where the backup worker runs.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>How often the planner job fires (cluster-wide: one instance runs each firing).</summary>
    public TimeSpan PlannerInterval { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>A slot older than this (plus its jitter) that was never planned — the whole cluster was down — is not made up.</summary>
    public TimeSpan CatchUpWindow { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Quartz cluster check-in: another instance takes over a dead one's planner after about twice this.</summary>
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// How far back, when a device's slot is served, the planner looks for earlier slots of it that were never served
    /// (the device was still busy with an earlier run, or no instance planned in time) and records each as a skipped run.
    /// Zero turns the records off.
    /// </summary>
    public TimeSpan MissedSlotLookback { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>What one planning pass did.</summary>
public sealed record PlanResult(int Considered, int Due, int Queued, int Joined, int Waiting, int Missed = 0);

/// <summary>
/// Turns schedules into runs: for every enabled device it resolves the schedule in effect (device &gt; group &gt; tenant
/// default), finds the latest slot whose due time (slot + the device's jitter) has passed, and inserts a queued
/// schedule run for (device, slot) unless one exists. The unique index (DeviceId, ScheduledSlotUtc, SlotAttempt)
/// makes the insert idempotent whichever instance plans, so a slot is served exactly once (ADR-011).
/// A device busy with a manual/API run when its slot comes has the slot joined to that run (the run is marked with
/// the slot); a device still busy with an earlier slot's run is planned on a later pass, once that run finished.
/// </summary>
public sealed class SchedulePlanner(
    PlatformQueries platform,
    IServiceScopeFactory scopes,
    IBackupQueue queue,
    BackupNotifier notifier,
    SchedulingClock clock,
    IOptions<SchedulingOptions> options,
    SchedulerHealth health,
    ILogger<SchedulePlanner> logger)
{
    private const int BatchSize = 250;
    private readonly SemaphoreSlim _gate = new(1, 1);
    /// <summary>(device, slot) pairs known to be served, by slot: a steady-state pass asks the database nothing more.</summary>
    private readonly Dictionary<DateTime, HashSet<int>> _known = [];
    private readonly Dictionary<(int Id, DateTime Updated), (CronExpression Cron, TimeZoneInfo Zone)?> _parsed = [];

    public async Task<PlanResult> PlanAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var result = await PlanCoreAsync(ct);
            health.Planned(clock.UtcNow, result);
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            health.Failed(clock.UtcNow, ex.GetType().Name);
            logger.LogError("Schedule planning failed: {ErrorType} {StackTrace}", ex.GetType().FullName, ex.StackTrace);
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<PlanResult> PlanCoreAsync(CancellationToken ct)
    {
        var now = clock.UtcNow;
        var window = options.Value.CatchUpWindow;
        var (schedules, devices) = await platform.SchedulingInputsAsync(ct);
        var byTenant = schedules.GroupBy(s => s.TenantId).ToDictionary(g => g.Key, g => new TenantSet(g.ToList()));
        var slotsBySchedule = new Dictionary<int, List<DateTime>>();
        var candidates = new List<(ScheduledDevice Device, DateTime Slot)>();
        var scheduleOf = new Dictionary<int, BackupSchedule>();

        foreach (var d in devices)
        {
            if (!byTenant.TryGetValue(d.TenantId, out var set)) continue;
            var s = ScheduleMath.Resolve(set.Device(d.Id), d.Group is null ? [] : [d.Group], set.Group, set.Tenant);
            if (s is null || !s.Enabled || Parse(s) is not { } parsed) continue;
            if (!slotsBySchedule.TryGetValue(s.Id, out var slots))
            {
                slots = ScheduleMath.Slots(parsed.Cron, parsed.Zone, now - window - TimeSpan.FromSeconds(s.JitterSeconds), now);
                slotsBySchedule[s.Id] = slots;
            }
            var jitter = ScheduleMath.JitterFor(d.Id, s.JitterSeconds);
            var notBefore = Max(Max(s.UpdatedAtUtc, d.CreatedAtUtc), now - window - TimeSpan.FromSeconds(s.JitterSeconds));
            for (var i = slots.Count - 1; i >= 0; i--)
            {
                var slot = slots[i];
                if (slot < notBefore) break;
                if (slot.AddSeconds(jitter) > now) continue;
                if (!(_known.TryGetValue(slot, out var known) && known.Contains(d.Id)))
                {
                    candidates.Add((d, slot));
                    scheduleOf[d.Id] = s;
                }
                break;
            }
        }
        Prune(now - window - TimeSpan.FromSeconds(ScheduleMath.MaxJitterSeconds) - TimeSpan.FromHours(1));
        if (candidates.Count == 0) return new PlanResult(devices.Count, 0, 0, 0, 0);

        var planned = await platform.PlannedSlotsAsync(candidates.Select(c => c.Slot).Distinct().ToList(), ct);
        foreach (var (deviceId, slot) in planned) Remember(deviceId, slot);
        var due = candidates.Where(c => !planned.Contains((c.Device.Id, c.Slot))).ToList();
        if (due.Count == 0) return new PlanResult(devices.Count, candidates.Count, 0, 0, 0);

        var active = await platform.ActiveRunsOfDevicesAsync(due.Select(c => c.Device.Id).ToList(), ct);
        var lookback = options.Value.MissedSlotLookback;
        var lastServed = lookback > TimeSpan.Zero
            ? await platform.LastServedSlotsAsync(due.Where(c => !active.TryGetValue(c.Device.Id, out var a) || a.Slot is null).Select(c => c.Device.Id).ToList(),
                now - lookback - TimeSpan.FromSeconds(ScheduleMath.MaxJitterSeconds), ct)
            : new Dictionary<int, DateTime>();
        int queued = 0, joined = 0, waiting = 0, missed = 0;
        foreach (var tenant in due.GroupBy(c => c.Device.TenantId))
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenant.Key);
            scope.ServiceProvider.GetRequiredService<CurrentActor>().SetSystem();
            var dbFactory = scope.ServiceProvider.GetRequiredService<IPortalDbFactory>();
            var fresh = new List<(ScheduledDevice Device, DateTime Slot)>();
            var served = new List<(ScheduledDevice Device, DateTime Slot)>();
            foreach (var c in tenant)
            {
                if (!active.TryGetValue(c.Device.Id, out var run))
                {
                    fresh.Add(c);
                }
                else if (run.Slot is null)
                {
                    if (await JoinAsync(dbFactory, run.RunId, c.Slot, ct))
                    {
                        joined++;
                        Remember(c.Device.Id, c.Slot);
                        served.Add(c);
                    }
                }
                else
                {
                    waiting++; // an earlier slot's run is still going: plan this slot on a later pass
                }
            }
            foreach (var chunk in fresh.Chunk(BatchSize))
            {
                var inserted = (await InsertAsync(dbFactory, chunk, ct)).ToHashSet();
                queued += inserted.Count;
                served.AddRange(chunk.Where(c => inserted.Contains(c.Device.Id)));
            }
            if (lookback > TimeSpan.Zero)
                missed += await RecordMissedAsync(dbFactory, served, scheduleOf, lastServed, now, lookback, ct);
        }
        if (queued + joined + missed > 0)
            logger.LogInformation("Planner queued {Queued} scheduled run(s), joined {Joined} slot(s) to running runs, recorded {Missed} missed slot(s), {Waiting} device(s) still busy",
                queued, joined, missed, waiting);
        return new PlanResult(devices.Count, due.Count, queued, joined, waiting, missed);
    }

    /// <summary>Marks a manual/API run as also serving the slot; false if it finished meanwhile or the slot was served.</summary>
    private static async Task<bool> JoinAsync(IPortalDbFactory dbFactory, long runId, DateTime slot, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateAsync(ct);
        try
        {
            return await db.BackupRuns
                .Where(r => r.Id == runId && r.ActiveDeviceId != null && r.ScheduledSlotUtc == null)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.ScheduledSlotUtc, slot), ct) == 1;
        }
        catch (DbUpdateException)
        {
            return false;
        }
    }

    /// <summary>The reason of a skipped run for a slot that came while the device was still busy with an earlier run.</summary>
    public const string MissedBusyMessage = "skipped: the device's previous run was still in progress when this slot came due.";
    /// <summary>The reason of a skipped run for a slot that no instance planned in time.</summary>
    public const string MissedDownMessage = "missed: no instance planned this slot in time (the scheduler was down or behind).";

    /// <summary>A skipped run's message: which slot, and why ("Slot 2026-06-01 10:00 UTC skipped: …").</summary>
    public static string MissedMessage(DateTime slotUtc, bool busy) =>
        "Slot " + slotUtc.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC " + (busy ? MissedBusyMessage : MissedDownMessage);

    /// <summary>
    /// A slot is served now for each of <paramref name="served"/>: every earlier slot of the same schedule since the
    /// device's last served slot (within <see cref="SchedulingOptions.MissedSlotLookback"/>, and not before the
    /// schedule's last change or the device's creation/last edit) will never run, so each gets a finished run row with
    /// status Skipped and the reason. The row takes attempt 0 of its slot under the unique index, so two planners record
    /// it once and no planner queues it later.
    /// </summary>
    private async Task<int> RecordMissedAsync(IPortalDbFactory dbFactory, List<(ScheduledDevice Device, DateTime Slot)> served,
        Dictionary<int, BackupSchedule> scheduleOf, IReadOnlyDictionary<int, DateTime> lastServed, DateTime now, TimeSpan lookback, CancellationToken ct)
    {
        const int MaxPerDevice = 100;
        var missed = new List<(ScheduledDevice Device, DateTime Slot, int Jitter, DateTime? Previous)>();
        foreach (var (d, slot) in served)
        {
            if (!scheduleOf.TryGetValue(d.Id, out var s) || Parse(s) is not { } parsed) continue;
            var jitter = ScheduleMath.JitterFor(d.Id, s.JitterSeconds);
            var previous = lastServed.TryGetValue(d.Id, out var p) && p < slot ? p : (DateTime?)null;
            var from = Max(Max(s.UpdatedAtUtc, Max(d.CreatedAtUtc, d.UpdatedAtUtc)), now - lookback);
            if (previous is { } prev) from = Max(from, prev.AddTicks(1));
            var slots = ScheduleMath.Slots(parsed.Cron, parsed.Zone, from, slot);
            foreach (var m in slots.Where(x => x < slot).TakeLast(MaxPerDevice))
                missed.Add((d, m, jitter, previous));
        }
        if (missed.Count == 0) return 0;

        // Why: the run serving the device's previous slot (or a manual run joined to it) was still going at this slot's due time.
        var finished = await platform.SlotRunFinishTimesAsync(missed.Where(m => m.Previous is not null).Select(m => (m.Device.Id, m.Previous!.Value)).Distinct().ToList(), ct);
        var recorded = 0;
        foreach (var (d, slot, jitter, previous) in missed)
        {
            var dueAt = slot.AddSeconds(jitter);
            var busy = previous is { } prev && finished.TryGetValue((d.Id, prev), out var end) && (end is null || end > dueAt);
            await using var db = await dbFactory.CreateAsync(ct);
            var skipped = BackupRun.ForScheduleSlot(d.TenantId, d.Id, slot, attempt: 0, now);
            skipped.Status = BackupRunStatus.Skipped;
            skipped.Message = MissedMessage(slot, busy);
            skipped.FinishedAtUtc = now;
            skipped.ActiveDeviceId = null; // finished: it holds no device
            db.BackupRuns.Add(skipped);
            try
            {
                await db.SaveChangesAsync(ct);
                recorded++;
                Remember(d.Id, slot);
            }
            catch (DbUpdateException)
            {
                // Recorded (or served) by another planner meanwhile.
            }
        }
        if (recorded > 0)
            logger.LogWarning("Planner recorded {Count} missed schedule slot(s) as skipped runs", recorded);
        return recorded;
    }

    private async Task<List<int>> InsertAsync(IPortalDbFactory dbFactory, IReadOnlyList<(ScheduledDevice Device, DateTime Slot)> chunk, CancellationToken ct)
    {
        List<BackupRun> inserted;
        try
        {
            await using var db = await dbFactory.CreateAsync(ct);
            inserted = await db.ExecuteInTransactionAsync(async attemptCt =>
            {
                var runs = chunk.Select(c => NewRun(c.Device, c.Slot)).ToList();
                db.BackupRuns.AddRange(runs);
                await db.SaveChangesAsync(attemptCt);
                return runs;
            }, ct);
        }
        catch (DbUpdateException)
        {
            // Another instance served some of these slots, or a device got a run meanwhile: one by one, skip those.
            inserted = [];
            foreach (var c in chunk)
            {
                await using var db = await dbFactory.CreateAsync(ct);
                var run = NewRun(c.Device, c.Slot);
                db.BackupRuns.Add(run);
                try
                {
                    await db.SaveChangesAsync(ct);
                    inserted.Add(run);
                }
                catch (DbUpdateException)
                {
                    // Served elsewhere, or busy: the next pass sees which.
                }
            }
        }
        foreach (var run in inserted)
        {
            Remember(run.DeviceId, run.ScheduledSlotUtc!.Value);
            await queue.EnqueueAsync(run.Id, run.TenantId, ct);
            await notifier.PublishAsync(new BackupRunChanged(run.TenantId, run.DeviceId, BackupRunView.From(run)));
        }
        return inserted.Select(r => r.DeviceId).ToList();
    }

    private BackupRun NewRun(ScheduledDevice d, DateTime slot) => BackupRun.ForScheduleSlot(d.TenantId, d.Id, slot, attempt: 0, clock.UtcNow);

    private void Remember(int deviceId, DateTime slot)
    {
        if (!_known.TryGetValue(slot, out var set)) _known[slot] = set = [];
        set.Add(deviceId);
    }

    private void Prune(DateTime before)
    {
        foreach (var slot in _known.Keys.Where(k => k < before).ToList()) _known.Remove(slot);
        if (_parsed.Count > 10_000) _parsed.Clear();
    }

    private (CronExpression Cron, TimeZoneInfo Zone)? Parse(BackupSchedule s)
    {
        var key = (s.Id, s.UpdatedAtUtc);
        if (_parsed.TryGetValue(key, out var cached)) return cached;
        (CronExpression, TimeZoneInfo)? parsed = null;
        if (ScheduleMath.TryParse(s.CronExpression, out _) is { } cron && ScheduleMath.TryFindZone(s.TimeZoneId, out _) is { } zone)
            parsed = (cron, zone);
        else
            logger.LogWarning("Schedule {ScheduleId} of tenant {TenantId} cannot be read (cron or time zone); its devices are not planned", s.Id, s.TenantId);
        _parsed[key] = parsed;
        return parsed;
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private sealed class TenantSet
    {
        private readonly Dictionary<int, BackupSchedule> _devices = [];
        private readonly Dictionary<string, BackupSchedule> _groups = new(StringComparer.Ordinal);

        public TenantSet(List<BackupSchedule> all)
        {
            foreach (var s in all)
            {
                switch (s.Scope)
                {
                    case ScheduleScope.Tenant: Tenant = s; break;
                    case ScheduleScope.Group when s.GroupName is not null: _groups[s.GroupName] = s; break;
                    case ScheduleScope.Device when s.DeviceId is { } id: _devices[id] = s; break;
                }
            }
        }

        public BackupSchedule? Tenant { get; }
        public BackupSchedule? Device(int id) => _devices.GetValueOrDefault(id);
        public BackupSchedule? Group(string name) => _groups.GetValueOrDefault(name);
    }
}

/// <summary>What the readiness check and the operations docs report about this instance's scheduler.</summary>
public sealed class SchedulerHealth
{
    private readonly object _lock = new();
    private long _passes;
    public DateTime? LastPlanUtc { get; private set; }
    /// <summary>Planner passes this instance ran.</summary>
    public long Passes => Interlocked.Read(ref _passes);
    public PlanResult? LastResult { get; private set; }
    public DateTime? LastFailureUtc { get; private set; }
    public string? LastFailure { get; private set; }

    internal void Planned(DateTime at, PlanResult result)
    {
        lock (_lock) { LastPlanUtc = at; LastResult = result; }
        Interlocked.Increment(ref _passes);
    }

    internal void Failed(DateTime at, string error)
    {
        lock (_lock) { LastFailureUtc = at; LastFailure = error; }
    }
}
