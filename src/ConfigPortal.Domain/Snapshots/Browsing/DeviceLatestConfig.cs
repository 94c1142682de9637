using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Data;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Snapshots.Browsing;

/// <summary>
/// The text of a device's latest snapshot, kept as plain text next to the encoded snapshot content so that config
/// search reads it without decoding (ADR-010). Written by the pipeline in the transaction that stores the snapshot;
/// <see cref="SnapshotId"/> tells whether it is still current (search decodes the snapshot when it is not).
/// </summary>
public sealed class DeviceLatestConfig : ITenantOwned
{
    public int DeviceId { get; set; }
    public int TenantId { get; set; }
    public long SnapshotId { get; set; }
    public required string Text { get; set; }
}

/// <summary>Keeps <see cref="DeviceLatestConfig"/> rows current.</summary>
public static class LatestConfigs
{
    /// <summary>
    /// Stores <paramref name="text"/> as the latest config of the snapshot's device. Called inside the pipeline's commit
    /// transaction (the row commits or rolls back with the snapshot).
    /// </summary>
    public static Task StoreAsync(IPortalDb db, Snapshot snapshot, string text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return StoreAsync(db, snapshot.TenantId, snapshot.DeviceId, snapshot.Id, text, ct);
    }

    /// <summary>
    /// Moves forward the row of a device at once (never back to an older snapshot), or adds one that the caller saves.
    /// </summary>
    public static async Task StoreAsync(IPortalDb db, int tenantId, int deviceId, long snapshotId, string text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(text);
        // The usual case (the device has a row) is one UPDATE, without reading the old text.
        var moved = await db.DeviceLatestConfigs.Where(l => l.DeviceId == deviceId && l.SnapshotId < snapshotId)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.SnapshotId, snapshotId).SetProperty(l => l.Text, text), ct);
        if (moved == 0 && !await db.DeviceLatestConfigs.AnyAsync(l => l.DeviceId == deviceId, ct))
            db.DeviceLatestConfigs.Add(new DeviceLatestConfig { DeviceId = deviceId, TenantId = tenantId, SnapshotId = snapshotId, Text = text });
    }
}
