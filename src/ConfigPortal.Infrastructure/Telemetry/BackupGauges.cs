using System.Diagnostics.Metrics;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Infrastructure.Backups;
using ConfigPortal.Infrastructure.Collectors.Ssh;

namespace ConfigPortal.Infrastructure.Telemetry;

/// <summary>
/// Observable gauges over process state: runs waiting in this instance's queue, device (SSH) sessions open or
/// connecting, and SSH logins holding a place in the login pacing. Created when a metrics pipeline asks for it
/// (AddPortalTelemetry); no cost otherwise.
/// </summary>
public sealed class BackupGauges : IDisposable
{
    public const string MeterName = "ConfigPortal.Backups";
    public const string QueueDepth = "configportal.backups.queue_depth";
    public const string ActiveSessions = "configportal.devices.active_sessions";
    public const string LoginsInProgress = "configportal.devices.logins_in_progress";

    private readonly Meter _meter = new(MeterName);

    public BackupGauges(BackupQueue queue, IEnumerable<IDeviceCollector> collectors)
    {
        var ssh = collectors.OfType<SshDeviceCollector>().FirstOrDefault();
        _meter.CreateObservableGauge(QueueDepth, () => Math.Max(0, queue.Pending), "{run}",
            "Backup runs queued in this instance and not yet picked up by a worker slot.");
        _meter.CreateObservableGauge(ActiveSessions, () => ssh?.ActiveSessions ?? 0, "{session}",
            "Device sessions (SSH) open or connecting in this instance; capped by Ssh:MaxConcurrentSessions.");
        _meter.CreateObservableGauge(LoginsInProgress, () => ssh?.LoginsInProgress ?? 0, "{session}",
            "SSH logins in progress in this instance (places taken in the login pacing); capped by Ssh:MaxConcurrentLogins.");
    }

    public void Dispose() => _meter.Dispose();
}
