using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Devices;

namespace ConfigPortal.Domain.Backups;

public enum BackupTrigger
{
    Manual = 1,
    Api = 2,
    Schedule = 3,
}

public enum BackupRunStatus
{
    Queued = 1,
    Collecting = 2,
    Processing = 3,
    Succeeded = 4,
    Failed = 5,
    /// <summary>A schedule slot that never ran (the device was still busy, or no instance planned it in time); the message says which.</summary>
    Skipped = 6,
}

public static class BackupRunStatuses
{
    /// <summary>Whether a run in this status is over (succeeded, failed or skipped): the one rule every view of a run uses.</summary>
    public static bool IsFinished(this BackupRunStatus status) =>
        status is BackupRunStatus.Succeeded or BackupRunStatus.Failed or BackupRunStatus.Skipped;
}

/// <summary>
/// One attempt to back up one device. While queued or running, <see cref="ActiveDeviceId"/> holds the device id under
/// a unique index: a second trigger cannot start another run and joins this one instead.
/// </summary>
public sealed class BackupRun : ITenantOwned
{
    public long Id { get; set; }
    public int TenantId { get; set; }
    public int DeviceId { get; set; }
    public BackupTrigger Trigger { get; set; }
    public string? RequestedByUserId { get; set; }
    public required string RequestedByName { get; set; }
    public string? ClientIp { get; set; }
    public BackupRunStatus Status { get; set; }
    public RunOutcome? Outcome { get; set; }
    public FailureKind? FailureKind { get; set; }
    public string? Message { get; set; }
    public DateTime QueuedAtUtc { get; set; }
    public DateTime? StartedAtUtc { get; set; }
    public DateTime? FinishedAtUtc { get; set; }
    public long? SnapshotId { get; set; }
    public required string CorrelationId { get; set; }

    /// <summary>Equal to <see cref="DeviceId"/> while the run is queued or running; null once it has finished.</summary>
    public int? ActiveDeviceId { get; set; }

    /// <summary>
    /// The schedule slot (UTC) this run serves: set on schedule-triggered runs, and on a manual/API run that was already
    /// queued or running when a slot came (the slot joined it instead of starting a second run). Unique per device with
    /// <see cref="SlotAttempt"/>: a slot is served by exactly one run, and a retry after a lost lease is the next attempt.
    /// </summary>
    public DateTime? ScheduledSlotUtc { get; set; }
    /// <summary>0 for the slot's first run; 1, 2, … for the re-runs after an instance died holding the run.</summary>
    public int SlotAttempt { get; set; }
    /// <summary>The instance (worker) that holds the run while it executes; null while queued and unclaimed.</summary>
    public string? OwnerInstanceId { get; set; }
    /// <summary>Until when the owner's claim holds; renewed by its heartbeat. Past it, any instance's sweeper recovers the run.</summary>
    public DateTime? LeaseExpiresAtUtc { get; set; }

    public bool IsFinished => Status.IsFinished();

    /// <summary>A manual or API run that also served a schedule slot (the slot joined it).</summary>
    public bool JoinedSlot => ScheduledSlotUtc is not null && Trigger != BackupTrigger.Schedule;

    /// <summary>
    /// A queued run of the scheduler ("system") for <paramref name="slot"/>, attempt <paramref name="attempt"/> (0 for the
    /// slot's first run): what the planner queues and what the sweeper re-queues after an instance died holding a run.
    /// </summary>
    public static BackupRun ForScheduleSlot(int tenantId, int deviceId, DateTime slot, int attempt, DateTime now) => new()
    {
        TenantId = tenantId,
        DeviceId = deviceId,
        Trigger = BackupTrigger.Schedule,
        RequestedByName = "system",
        Status = BackupRunStatus.Queued,
        QueuedAtUtc = now,
        CorrelationId = Guid.NewGuid().ToString("N"),
        ActiveDeviceId = deviceId,
        ScheduledSlotUtc = slot,
        SlotAttempt = attempt,
    };
}

/// <summary>What the UI and API see of a run.</summary>
public sealed record BackupRunView(
    long Id,
    int DeviceId,
    BackupTrigger Trigger,
    string RequestedBy,
    BackupRunStatus Status,
    RunOutcome? Outcome,
    FailureKind? FailureKind,
    string? Message,
    DateTime QueuedAtUtc,
    DateTime? StartedAtUtc,
    DateTime? FinishedAtUtc,
    long? SnapshotId,
    string CorrelationId,
    DateTime? ScheduledSlotUtc = null,
    int SlotAttempt = 0)
{
    /// <summary>A manual or API run that also served a schedule slot (the slot joined it instead of starting a second run).</summary>
    public bool JoinedSlot => ScheduledSlotUtc is not null && Trigger != BackupTrigger.Schedule;

    public bool IsFinished => Status.IsFinished();

    public static BackupRunView From(BackupRun r) => new(r.Id, r.DeviceId, r.Trigger, r.RequestedByName, r.Status, r.Outcome,
        r.FailureKind, r.Message, r.QueuedAtUtc, r.StartedAtUtc, r.FinishedAtUtc, r.SnapshotId, r.CorrelationId,
        r.ScheduledSlotUtc, r.SlotAttempt);
}

/// <summary>The result of a trigger: the run, and whether the caller joined a run that was already queued or running.</summary>
public sealed record TriggerResult(BackupRunView Run, bool Joined);
