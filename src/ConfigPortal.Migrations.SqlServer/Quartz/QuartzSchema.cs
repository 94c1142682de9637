using System.Reflection;

namespace ConfigPortal.Migrations.SqlServer.Quartz;

/// <summary>
/// The Quartz.NET job store tables (QRTZ_*), from the script Quartz 4.7.3 ships for this provider (embedded next to
/// this file). The Schedules migration runs it one statement at a time; Quartz itself only validates the schema.
/// </summary>
internal static class QuartzSchema
{
    public static IEnumerable<string> Statements()
    {
        using var stream = typeof(QuartzSchema).Assembly.GetManifestResourceStream("ConfigPortal.Quartz.quartz_tables_sqlserver.sql")
            ?? throw new InvalidOperationException("The Quartz schema script is not embedded.");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
        foreach (var piece in text.Split("\n--;;\n", StringSplitOptions.RemoveEmptyEntries))
        {
            // The first piece is the header: comments only.
            if (piece.Split('\n').All(l => l.TrimStart().StartsWith("--", StringComparison.Ordinal) || string.IsNullOrWhiteSpace(l)))
                continue;
            yield return piece.Trim();
        }
    }

    /// <summary>Every QRTZ_ table, children first (for Down).</summary>
    public static readonly string[] Tables =
    [
        "QRTZ_FIRED_TRIGGERS", "QRTZ_PAUSED_TRIGGER_GRPS", "QRTZ_PAUSED_JOB_GRPS", "QRTZ_SCHEDULER_STATE", "QRTZ_LOCKS",
        "QRTZ_SIMPROP_TRIGGERS", "QRTZ_SIMPLE_TRIGGERS", "QRTZ_CRON_TRIGGERS", "QRTZ_BLOB_TRIGGERS", "QRTZ_TRIGGERS",
        "QRTZ_JOB_DETAILS", "QRTZ_CALENDARS", "QRTZ_EXECUTION_HISTORY", "QRTZ_MISFIRE_HISTORY", "QRTZ_JOB_STATUS",
    ];
}
