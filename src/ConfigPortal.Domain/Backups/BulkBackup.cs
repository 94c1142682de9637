using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Devices;

namespace ConfigPortal.Domain.Backups;

/// <summary>
/// One "Backup now" for many devices (a selection or a group). Its runs are ordinary manual or API runs; the request
/// remembers which run each device got (a new one, or the one it joined) so progress and the Runs page can follow them.
/// </summary>
public sealed class BulkBackupRequest : ITenantOwned
{
    public long Id { get; set; }
    public int TenantId { get; set; }
    /// <summary>Manual (the devices page) or Api (<c>POST /api/v1/devices/backup</c>); never Schedule.</summary>
    public BackupTrigger Trigger { get; set; }
    /// <summary>The group asked for ("all devices of group X"); null for a selection of ids.</summary>
    public string? Group { get; set; }
    public string? RequestedByUserId { get; set; }
    public required string RequestedByName { get; set; }
    public string? ClientIp { get; set; }
    public DateTime RequestedAtUtc { get; set; }
    public required string CorrelationId { get; set; }
    /// <summary>Distinct devices asked for.</summary>
    public int Requested { get; set; }
    public int Queued { get; set; }
    public int Joined { get; set; }
    public int Skipped { get; set; }
}

/// <summary>One device of a bulk request: the run it got, or why it was skipped.</summary>
public sealed class BulkBackupItem : ITenantOwned
{
    public const int MaxReasonLength = 200;

    public long Id { get; set; }
    public int TenantId { get; set; }
    public long BulkRequestId { get; set; }
    public int DeviceId { get; set; }
    /// <summary>The run queued for the device, or the run it joined; null when skipped.</summary>
    public long? RunId { get; set; }
    /// <summary>True when the device already had a run queued or running and the request joined it.</summary>
    public bool Joined { get; set; }
    public string? SkipReason { get; set; }
}

/// <summary>What a bulk trigger did with one device.</summary>
public sealed record BulkBackupItemResult(int DeviceId, string DeviceName, long? RunId, bool Joined, string? SkipReason);

/// <summary>The answer to a bulk trigger: counts and one line per distinct device.</summary>
public sealed record BulkBackupResult(long BulkId, BackupTrigger Trigger, string? Group, int Requested, int Duplicates, int Queued, int Joined, int Skipped,
    IReadOnlyList<BulkBackupItemResult> Items)
{
    /// <summary>The runs to follow (queued or joined).</summary>
    public IReadOnlyList<long> RunIds => Items.Where(i => i.RunId is not null).Select(i => i.RunId!.Value).Distinct().ToList();
}

/// <summary>The state of one run of a bulk request.</summary>
public sealed record BulkRunState(long RunId, int DeviceId, BackupRunStatus Status, RunOutcome? Outcome);

/// <summary>Where a bulk request stands: done (succeeded), failed, remaining (queued or running), and the skipped devices.</summary>
public sealed record BulkBackupProgress(long BulkId, DateTime RequestedAtUtc, string RequestedBy, int Requested, int Skipped, IReadOnlyList<BulkRunState> Runs)
{
    public int Total => Runs.Count;
    public int Done => Runs.Count(r => r.Status == BackupRunStatus.Succeeded);
    public int Failed => Runs.Count(r => r.Status == BackupRunStatus.Failed);
    public int Remaining => Total - Done - Failed;
    public bool IsFinished => Remaining == 0;
}
