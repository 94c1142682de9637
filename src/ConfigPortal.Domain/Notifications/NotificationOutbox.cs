using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Devices;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Notifications;

/// <summary>
/// Adds notification deliveries (outbox rows) inside the backup pipeline's transaction: they commit with the snapshot
/// or the failure they report, or not at all. The dispatcher sends them afterwards. Payloads carry the stored diff,
/// which is the masked configuration's diff: a secret masked before storage never reaches a notification.
/// </summary>
public static class NotificationOutbox
{
    /// <summary>Unified diffs longer than this (UTF-8 bytes) are cut at a line end and flagged <c>diffTruncated</c>.</summary>
    public const int MaxDiffBytes = 64 * 1024;

    public const string ConfigChangedEvent = "config_changed";
    public const string BackupsFailingEvent = "backups_failing";
    public const string TestEvent = "test";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string EventName(NotificationEvent e) => e switch
    {
        NotificationEvent.ConfigChanged => ConfigChangedEvent,
        NotificationEvent.BackupsFailing => BackupsFailingEvent,
        _ => TestEvent,
    };

    /// <summary>A changed snapshot was stored with a diff: one delivery per enabled channel that covers the device.</summary>
    public static async Task AddConfigChangedAsync(IPortalDb db, BackupRun run, Device device, long oldSnapshotId, long newSnapshotId,
        int added, int removed, string unifiedDiff, DateTime now, CancellationToken ct)
    {
        var channels = await db.NotificationChannels.AsNoTracking()
            .Where(c => c.Enabled && c.OnConfigChanged)
            .ToListAsync(ct);
        channels.RemoveAll(c => !c.Covers(device.Group));
        if (channels.Count == 0) return;

        var (diff, truncated) = Truncate(unifiedDiff, MaxDiffBytes);
        var payload = new JsonObject
        {
            ["event"] = ConfigChangedEvent,
            ["occurredAtUtc"] = now,
            ["tenant"] = await TenantAsync(db, run.TenantId, ct),
            ["device"] = DeviceNode(device),
            ["oldSnapshotId"] = oldSnapshotId,
            ["newSnapshotId"] = newSnapshotId,
            ["added"] = added,
            ["removed"] = removed,
            ["diff"] = diff,
            ["diffTruncated"] = truncated,
            ["correlationId"] = run.CorrelationId,
            ["link"] = $"/devices/{device.Id}/diff?from={oldSnapshotId}&to={newSnapshotId}",
        }.ToJsonString(Json);
        Add(db, channels, NotificationEvent.ConfigChanged, run, device, _ => payload, now);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// A run failed: a failure notice to every channel whose threshold the device's streak of consecutive failed runs
    /// has just reached (equal, not above: once per streak; a success ends the streak).
    /// </summary>
    public static async Task AddFailureAsync(IPortalDb db, BackupRun run, Device device, FailureKind kind, string message, DateTime now, CancellationToken ct)
    {
        var channels = await db.NotificationChannels.AsNoTracking()
            .Where(c => c.Enabled && c.OnBackupsFailing)
            .ToListAsync(ct);
        channels.RemoveAll(c => !c.Covers(device.Group));
        if (channels.Count == 0) return;

        var max = channels.Max(c => c.FailureThreshold);
        var outcomes = await db.BackupRuns.AsNoTracking()
            .Where(r => r.DeviceId == device.Id && r.FinishedAtUtc != null && r.Status != BackupRunStatus.Skipped) // a missed slot neither breaks nor extends a streak
            .OrderByDescending(r => r.Id)
            .Select(r => r.Outcome)
            .Take(max + 1)
            .ToListAsync(ct);
        var streak = outcomes.TakeWhile(o => o == RunOutcome.Failed).Count();
        channels.RemoveAll(c => c.FailureThreshold != streak);
        if (channels.Count == 0) return;

        var tenant = await TenantAsync(db, run.TenantId, ct);
        Add(db, channels, NotificationEvent.BackupsFailing, run, device, c => new JsonObject
        {
            ["event"] = BackupsFailingEvent,
            ["occurredAtUtc"] = now,
            ["tenant"] = tenant.DeepClone(),
            ["device"] = DeviceNode(device),
            ["consecutiveFailures"] = streak,
            ["threshold"] = c.FailureThreshold,
            ["reason"] = BackupPipeline.ToSnake(kind),
            ["message"] = message,
            ["correlationId"] = run.CorrelationId,
            ["link"] = $"/devices/{device.Id}",
        }.ToJsonString(Json), now);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The payload of a "Send test" delivery.</summary>
    internal static string TestPayload(int tenantId, string tenantName, NotificationChannel channel, DateTime now) => new JsonObject
    {
        ["event"] = TestEvent,
        ["occurredAtUtc"] = now,
        ["tenant"] = new JsonObject { ["id"] = tenantId, ["name"] = tenantName },
        ["channel"] = new JsonObject { ["id"] = channel.Id, ["name"] = channel.Name },
        ["message"] = "A test notification from ConfigPortal.",
        ["link"] = "/settings/notifications",
    }.ToJsonString(Json);

    private static void Add(IPortalDb db, List<NotificationChannel> channels, NotificationEvent evt, BackupRun run, Device device,
        Func<NotificationChannel, string> payload, DateTime now)
    {
        foreach (var c in channels)
        {
            db.NotificationDeliveries.Add(new NotificationDelivery
            {
                TenantId = run.TenantId,
                ChannelId = c.Id,
                Event = evt,
                DeviceId = device.Id,
                DeviceName = device.Name,
                CorrelationId = run.CorrelationId,
                Payload = payload(c),
                CreatedAtUtc = now,
                NextAttemptAtUtc = now,
            });
        }
    }

    private static async Task<JsonObject> TenantAsync(IPortalDb db, int tenantId, CancellationToken ct)
    {
        var name = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.Name).FirstOrDefaultAsync(ct);
        return new JsonObject { ["id"] = tenantId, ["name"] = name };
    }

    private static JsonObject DeviceNode(Device device) => new()
    {
        ["id"] = device.Id,
        ["name"] = device.Name,
        ["vendor"] = device.Vendor,
        ["group"] = device.Group,
    };

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="maxBytes"/> UTF-8 bytes at a line end.</summary>
    public static (string Text, bool Truncated) Truncate(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes) return (text, false);
        var bytes = 0;
        var end = 0;
        var i = 0;
        while (i < text.Length)
        {
            var nl = text.IndexOf('\n', i);
            var next = nl < 0 ? text.Length : nl + 1;
            var lineBytes = Encoding.UTF8.GetByteCount(text.AsSpan(i, next - i));
            if (bytes + lineBytes > maxBytes) break;
            bytes += lineBytes;
            end = next;
            i = next;
        }
        return (text[..end], true);
    }
}
