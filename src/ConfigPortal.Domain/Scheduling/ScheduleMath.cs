using System.Globalization;
using Cronos;

namespace ConfigPortal.Domain.Scheduling;

/// <summary>
/// Cron parsing and slot arithmetic, pure and clock-free (the caller passes "now"). Cron expressions are the standard
/// five fields (minute hour day-of-month month day-of-week) read in an IANA time zone by Cronos, which handles DST:
/// a local time skipped by a spring-forward fires once right after the gap, and a repeated local time (fall-back)
/// fires once (the first occurrence) for fixed-time schedules, per interval for every-N schedules.
/// </summary>
public static class ScheduleMath
{
    /// <summary>The largest jitter bound accepted, in seconds (one hour).</summary>
    public const int MaxJitterSeconds = 3600;

    /// <summary>Parses a five-field cron expression, or null with the reason.</summary>
    public static CronExpression? TryParse(string? expression, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(expression))
        {
            error = "Enter a cron expression (five fields: minute hour day-of-month month day-of-week).";
            return null;
        }
        var trimmed = expression.Trim();
        if (trimmed.Length > BackupSchedule.MaxCronLength)
        {
            error = $"The cron expression must be at most {BackupSchedule.MaxCronLength} characters.";
            return null;
        }
        if (trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 5)
        {
            error = "A cron expression has five fields: minute hour day-of-month month day-of-week (e.g. \"0 */6 * * *\").";
            return null;
        }
        try
        {
            return CronExpression.Parse(trimmed, CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            error = "Not a valid cron expression: " + ex.Message;
            return null;
        }
    }

    /// <summary>An IANA time zone by id ("Europe/Zurich", "UTC"), or null with the reason.</summary>
    public static TimeZoneInfo? TryFindZone(string? id, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(id))
        {
            error = "Choose a time zone.";
            return null;
        }
        var trimmed = id.Trim();
        if (trimmed.Length > BackupSchedule.MaxTimeZoneLength || !TimeZoneInfo.TryFindSystemTimeZoneById(trimmed, out var zone))
        {
            error = $"Unknown time zone '{Shorten(trimmed)}': use an IANA name such as Europe/Zurich or UTC.";
            return null;
        }
        return zone;
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    /// <summary>Field errors of a schedule input (empty when valid).</summary>
    public static Dictionary<string, string[]> Validate(ScheduleInput input)
    {
        var errors = new Dictionary<string, string[]>();
        if (TryParse(input.CronExpression, out var cronError) is null) errors[nameof(ScheduleInput.CronExpression)] = [cronError!];
        if (TryFindZone(input.TimeZoneId, out var zoneError) is null) errors[nameof(ScheduleInput.TimeZoneId)] = [zoneError!];
        if (input.JitterSeconds is < 0 or > MaxJitterSeconds)
            errors[nameof(ScheduleInput.JitterSeconds)] = [$"Jitter must be between 0 and {MaxJitterSeconds} seconds."];
        return errors;
    }

    /// <summary>The cron of the "every N hours" picker: at <paramref name="minute"/> past every Nth hour from midnight.</summary>
    public static string EveryHours(int hours, int minute = 0)
    {
        if (hours is < 1 or > 24) throw new ArgumentOutOfRangeException(nameof(hours), "1 to 24 hours.");
        if (minute is < 0 or > 59) throw new ArgumentOutOfRangeException(nameof(minute), "0 to 59.");
        var m = minute.ToString(CultureInfo.InvariantCulture);
        return hours switch
        {
            1 => $"{m} * * * *",
            24 => $"{m} 0 * * *",
            _ => $"{m} */{hours.ToString(CultureInfo.InvariantCulture)} * * *",
        };
    }

    /// <summary>The picker's N when a cron is exactly one it wrote, else null.</summary>
    public static (int Hours, int Minute)? AsEveryHours(string cron)
    {
        var f = cron.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length != 5 || f[2] != "*" || f[3] != "*" || f[4] != "*" || !int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var minute) || minute > 59)
            return null;
        if (f[1] == "*") return (1, minute);
        if (f[1] == "0") return (24, minute);
        if (f[1].StartsWith("*/", StringComparison.Ordinal) && int.TryParse(f[1][2..], NumberStyles.None, CultureInfo.InvariantCulture, out var h) && h is > 1 and < 24)
            return (h, minute);
        return null;
    }

    /// <summary>A short human description for the forms and grids.</summary>
    public static string Describe(string cron)
    {
        if (AsEveryHours(cron) is { } every)
        {
            var minute = every.Minute.ToString("00", CultureInfo.InvariantCulture);
            return every.Hours switch
            {
                1 => $"Every hour at :{minute}",
                24 => $"Daily at 00:{minute}",
                _ => $"Every {every.Hours} hours at :{minute}",
            };
        }
        var f = cron.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length == 5 && f[2] == "*" && f[3] == "*" && f[4] == "*"
            && int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var mm) && int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var hh))
            return $"Daily at {hh:00}:{mm:00}";
        return "Cron " + cron.Trim();
    }

    /// <summary>
    /// This device's deterministic offset into each slot, in whole seconds within [0, bound]: every instance computes
    /// the same value, and devices spread evenly over the bound.
    /// </summary>
    public static int JitterFor(int deviceId, int boundSeconds)
    {
        if (boundSeconds <= 0) return 0;
        // A fixed integer mix (not string.GetHashCode, which differs per process).
        var h = (uint)deviceId;
        h ^= h >> 16;
        h *= 0x7feb352dU;
        h ^= h >> 15;
        h *= 0x846ca68bU;
        h ^= h >> 16;
        return (int)(h % (uint)(boundSeconds + 1));
    }

    /// <summary>
    /// The latest slot whose due time (slot + jitter) is at or before <paramref name="nowUtc"/>, no older than
    /// <paramref name="notBeforeUtc"/>, or null when none is due.
    /// </summary>
    public static DateTime? LatestDueSlot(CronExpression cron, TimeZoneInfo zone, int jitterSeconds, DateTime nowUtc, DateTime notBeforeUtc)
    {
        var latestSlot = nowUtc.AddSeconds(-jitterSeconds);
        if (latestSlot < notBeforeUtc) return null;
        DateTime? found = null;
        foreach (var s in cron.GetOccurrences(Utc(notBeforeUtc), Utc(latestSlot), zone, fromInclusive: true, toInclusive: true))
            found = s;
        return found;
    }

    /// <summary>The due slots of a schedule in (from, to], oldest first (the planner computes them once per schedule).</summary>
    public static List<DateTime> Slots(CronExpression cron, TimeZoneInfo zone, DateTime fromUtc, DateTime toUtc) =>
        toUtc <= fromUtc ? [] : cron.GetOccurrences(Utc(fromUtc), Utc(toUtc), zone, fromInclusive: true, toInclusive: true).ToList();

    /// <summary>The next slot strictly after <paramref name="afterUtc"/>.</summary>
    public static DateTime? NextSlot(CronExpression cron, TimeZoneInfo zone, DateTime afterUtc) =>
        cron.GetNextOccurrence(Utc(afterUtc), zone, inclusive: false);

    /// <summary>The next time this device will be backed up by this schedule: the first slot whose due time is after now.</summary>
    public static DateTime? NextRunUtc(CronExpression cron, TimeZoneInfo zone, int deviceId, int jitterBound, DateTime nowUtc)
    {
        var jitter = JitterFor(deviceId, jitterBound);
        var slot = NextSlot(cron, zone, nowUtc.AddSeconds(-jitter));
        return slot?.AddSeconds(jitter);
    }

    private static DateTime Utc(DateTime t) => t.Kind == DateTimeKind.Utc ? t : DateTime.SpecifyKind(t, DateTimeKind.Utc);

    /// <summary>
    /// The schedule in effect for a device: its own, else its group's, else the tenant default (document: docs/user-guide.md).
    /// A device belongs to at most one group today; should it belong to several, the group whose name sorts first
    /// (ordinal) wins, so the choice is the same on every instance.
    /// </summary>
    public static T? Resolve<T>(T? deviceOverride, IEnumerable<string> groups, Func<string, T?> groupSchedule, T? tenantDefault) where T : class
    {
        if (deviceOverride is not null) return deviceOverride;
        foreach (var g in groups.Where(g => !string.IsNullOrEmpty(g)).Order(StringComparer.Ordinal))
        {
            if (groupSchedule(g) is { } s) return s;
        }
        return tenantDefault;
    }
}
