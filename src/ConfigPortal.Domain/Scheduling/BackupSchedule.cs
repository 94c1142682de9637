using ConfigPortal.Domain.Common;

namespace ConfigPortal.Domain.Scheduling;

/// <summary>What a schedule applies to. The most specific one wins: device, then group, then the tenant default.</summary>
public enum ScheduleScope
{
    Tenant = 1,
    Group = 2,
    Device = 3,
}

/// <summary>
/// When the devices of a tenant, of a group or one device are backed up: a cron expression read in an IANA time zone,
/// plus a per-device jitter within <see cref="JitterSeconds"/> so a thousand devices do not start in the same second.
/// A disabled schedule still wins over the less specific ones: it turns scheduled backups off for what it covers.
/// </summary>
public sealed class BackupSchedule : ITenantOwned
{
    public const int MaxCronLength = 100;
    public const int MaxTimeZoneLength = 64;

    public int Id { get; set; }
    public int TenantId { get; set; }
    public ScheduleScope Scope { get; set; }
    /// <summary>The group name for <see cref="ScheduleScope.Group"/> (as in <c>Device.Group</c>), else null.</summary>
    public string? GroupName { get; set; }
    /// <summary>The device for <see cref="ScheduleScope.Device"/>, else null.</summary>
    public int? DeviceId { get; set; }
    /// <summary>"tenant", "group:NAME" or "device:ID": unique per tenant (one schedule per target).</summary>
    public required string ScopeKey { get; set; }
    public required string CronExpression { get; set; }
    public required string TimeZoneId { get; set; }
    public int JitterSeconds { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTime CreatedAtUtc { get; set; }
    /// <summary>Slots before this instant are never planned (a new or changed schedule does not fire for the past).</summary>
    public DateTime UpdatedAtUtc { get; set; }

    public static string KeyFor(ScheduleScope scope, string? group, int? deviceId) => scope switch
    {
        ScheduleScope.Tenant => "tenant",
        ScheduleScope.Group => "group:" + group,
        ScheduleScope.Device => "device:" + deviceId?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new ArgumentOutOfRangeException(nameof(scope)),
    };
}

/// <summary>What the schedule forms submit. Validated by the service, whatever the UI did.</summary>
public sealed class ScheduleInput
{
    public string CronExpression { get; set; } = "0 2 * * *";
    public string TimeZoneId { get; set; } = "UTC";
    public int JitterSeconds { get; set; } = 300;
    public bool Enabled { get; set; } = true;
}

/// <summary>A stored schedule as pages see it.</summary>
public sealed record ScheduleView(int Id, ScheduleScope Scope, string? GroupName, int? DeviceId, string CronExpression, string TimeZoneId,
    int JitterSeconds, bool Enabled, DateTime UpdatedAtUtc, string Description)
{
    public static ScheduleView From(BackupSchedule s) => new(s.Id, s.Scope, s.GroupName, s.DeviceId, s.CronExpression, s.TimeZoneId,
        s.JitterSeconds, s.Enabled, s.UpdatedAtUtc, ScheduleMath.Describe(s.CronExpression));

    public ScheduleInput ToInput() => new() { CronExpression = CronExpression, TimeZoneId = TimeZoneId, JitterSeconds = JitterSeconds, Enabled = Enabled };
}

/// <summary>The tenant default and every group schedule, with the groups the tenant's devices use.</summary>
public sealed record TenantSchedules(ScheduleView? TenantDefault, IReadOnlyList<ScheduleView> Groups, IReadOnlyList<string> KnownGroups);

/// <summary>
/// A device's schedule as the planner sees it: its own override (if any), the schedule in effect and where it comes
/// from, and the next planned run (the slot plus this device's jitter) in UTC and in the schedule's zone.
/// </summary>
public sealed record DeviceScheduleView(
    int DeviceId,
    ScheduleView? Override,
    ScheduleView? Effective,
    ScheduleScope? EffectiveScope,
    DateTime? NextRunUtc,
    DateTimeOffset? NextRunLocal,
    string? Reason);
