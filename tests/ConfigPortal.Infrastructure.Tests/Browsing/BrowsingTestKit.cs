using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Snapshots.Browsing;
using ConfigPortal.Infrastructure.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ConfigPortal.Infrastructure.Tests.Browsing;

/// <summary>Devices with chosen groups and configs with chosen text, for the feed and search tests.</summary>
public static class BrowsingTestKit
{
    public static async Task<int> CreateDeviceAsync(this PortalHost portal, int tenantId, string name, string group,
        string vendor = "cisco_ios", SimulatorBehavior behavior = SimulatorBehavior.Drifting)
    {
        await using var scope = portal.SystemScope(tenantId);
        return await scope.ServiceProvider.GetRequiredService<DeviceService>().CreateAsync(new DeviceInput
        {
            Name = name,
            Address = "192.0.2." + (Math.Abs(name.GetHashCode(StringComparison.Ordinal)) % 250 + 1),
            Port = 22,
            Vendor = vendor,
            Driver = DeviceDriver.Simulator,
            SimulatorBehavior = behavior,
            Group = group,
        });
    }

    /// <summary>
    /// Stores <paramref name="text"/> as a new latest snapshot of a device the way the pipeline leaves the database
    /// (snapshot, encoded content, plain-text latest row), without a device round trip.
    /// </summary>
    public static async Task<long> StoreConfigAsync(this PortalHost portal, int tenantId, int deviceId, string text, bool latestRow = true)
    {
        return await portal.QueryAsync(tenantId, async db =>
        {
            var device = await db.Devices.SingleAsync(d => d.Id == deviceId);
            var now = DateTime.UtcNow;
            var snapshot = new Snapshot
            {
                TenantId = tenantId,
                DeviceId = deviceId,
                PreviousSnapshotId = device.LatestSnapshotId,
                FirstSeenAtUtc = now,
                LastSeenAtUtc = now,
                CompareHash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))),
                SizeBytes = System.Text.Encoding.UTF8.GetByteCount(text),
                LineCount = text.Count(c => c == '\n'),
                Trigger = "manual",
                TriggeredBy = "test",
            };
            db.Snapshots.Add(snapshot);
            await db.SaveChangesAsync();
            var (encoding, data) = ContentCodec.Encode(text);
            db.SnapshotContents.Add(new SnapshotContent { SnapshotId = snapshot.Id, TenantId = tenantId, Encoding = encoding, Data = data });
            if (latestRow) await LatestConfigs.StoreAsync(db, snapshot, text, CancellationToken.None);
            device.LatestSnapshotId = snapshot.Id;
            device.SnapshotCount++;
            await db.SaveChangesAsync();
            return snapshot.Id;
        });
    }

    public static async Task<ConfigSearchResult> SearchAsync(this PortalHost portal, int tenantId, string email, ConfigSearchRequest request)
    {
        await using var scope = portal.ScopeAs(tenantId, email);
        return await scope.ServiceProvider.GetRequiredService<ConfigSearchService>().SearchAsync(request);
    }

    public static async Task<ChangesFeedPage> FeedAsync(this PortalHost portal, int tenantId, string email, ChangesFeedQuery query)
    {
        await using var scope = portal.ScopeAs(tenantId, email);
        return await scope.ServiceProvider.GetRequiredService<ChangesFeedService>().ListAsync(query);
    }
}
