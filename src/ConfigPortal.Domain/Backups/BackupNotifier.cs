using System.Diagnostics.Metrics;

namespace ConfigPortal.Domain.Backups;

/// <summary>A run moved to a new state.</summary>
public sealed record BackupRunChanged(int TenantId, int DeviceId, BackupRunView Run);

/// <summary>
/// Pushes run progress to whoever listens (open Blazor circuits). A singleton; subscribers must marshal to their
/// own context (InvokeAsync) and unsubscribe on dispose.
/// </summary>
public sealed class BackupNotifier
{
    public const string MeterName = "ConfigPortal.Notifications";
    private static readonly Meter Meter = new(MeterName);
    /// <summary>Notifications that could not be delivered, by channel ("ui" today; e-mail and webhooks later).</summary>
    private static readonly Counter<long> Failures = Meter.CreateCounter<long>("configportal.notifications.failures", "{notification}");

    public event Func<BackupRunChanged, Task>? RunChanged;

    /// <summary>Counts a notification that could not be delivered ("email", "webhook": after its last attempt).</summary>
    public static void CountFailure(string channel) => Failures.Add(1, new KeyValuePair<string, object?>("channel", channel));

    public async Task PublishAsync(BackupRunChanged change)
    {
        var handlers = RunChanged;
        if (handlers is null) return;
        foreach (var d in handlers.GetInvocationList())
        {
            try
            {
                await ((Func<BackupRunChanged, Task>)d)(change);
            }
            catch
            {
                // A broken subscriber (a closed circuit) must not stop the others or the pipeline.
                Failures.Add(1, new KeyValuePair<string, object?>("channel", "ui"));
            }
        }
    }
}

/// <summary>Where triggered runs wait for a worker.</summary>
public interface IBackupQueue
{
    ValueTask EnqueueAsync(long runId, int tenantId, CancellationToken ct = default);
}
