using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace ConfigPortal.Domain.Data;

/// <summary>
/// The domain's view of the database. Implemented by the infrastructure's DbContext, whose global query filters
/// restrict every tenant-owned set to the scope's tenant and whose SaveChanges rejects rows of another tenant.
/// </summary>
public interface IPortalDb : IAsyncDisposable
{
    DbSet<Tenant> Tenants { get; }
    DbSet<TenantMembership> TenantMemberships { get; }
    DbSet<Device> Devices { get; }
    DbSet<CredentialProfile> CredentialProfiles { get; }
    DbSet<DeviceCredentialProfile> DeviceCredentialProfiles { get; }
    DbSet<BackupRun> BackupRuns { get; }
    DbSet<BulkBackupRequest> BulkBackupRequests { get; }
    DbSet<BulkBackupItem> BulkBackupItems { get; }
    DbSet<Scheduling.BackupSchedule> BackupSchedules { get; }
    DbSet<Snapshot> Snapshots { get; }
    DbSet<SnapshotContent> SnapshotContents { get; }
    DbSet<SnapshotDiff> SnapshotDiffs { get; }
    DbSet<Snapshots.Browsing.DeviceLatestConfig> DeviceLatestConfigs { get; }
    DbSet<AuditEntry> AuditEntries { get; }
    DbSet<AuditChainHead> AuditChainHeads { get; }
    DbSet<ApiToken> ApiTokens { get; }
    DbSet<Notifications.NotificationChannel> NotificationChannels { get; }
    DbSet<Notifications.NotificationDelivery> NotificationDeliveries { get; }
    DbSet<Preferences.UserPreference> UserPreferences { get; }

    DatabaseFacade Database { get; }
    ChangeTracker ChangeTracker { get; }
    Task<int> SaveChangesAsync(CancellationToken cancellationToken = default);

    /// <summary>Display names of users by id (Identity lives in the infrastructure).</summary>
    IQueryable<UserSummary> Users { get; }
}

public sealed record UserSummary(string Id, string UserName, string? Email, string? DisplayName);

/// <summary>One context per operation (Blazor circuits live for hours; a context must not).</summary>
public interface IPortalDbFactory
{
    Task<IPortalDb> CreateAsync(CancellationToken cancellationToken = default);
}
