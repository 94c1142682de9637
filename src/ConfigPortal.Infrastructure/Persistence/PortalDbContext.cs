using System.Linq.Expressions;
using ConfigPortal.Domain.ApiTokens;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Credentials;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots;
using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Identity;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Infrastructure.Persistence;

/// <summary>
/// The portal's database. Every tenant-owned set is filtered to the scope's tenant; SaveChanges rejects a tenant-owned
/// row of any other tenant. Created per operation through <see cref="IDbContextFactory{TContext}"/>.
/// </summary>
public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options, ITenantContext tenant)
    : IdentityDbContext<ApplicationUser>(options), IPortalDb, IDataProtectionKeyContext
{
    /// <summary>Set by <see cref="PortalDbFactory"/>: hands a pooled connection back once this context is disposed.</summary>
    internal Action? OnDisposed { get; set; }

    public override void Dispose()
    {
        base.Dispose();
        Release();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Release();
    }

    private void Release()
    {
        var release = OnDisposed;
        OnDisposed = null;
        release?.Invoke();
    }

    /// <summary>The tenant of this context's scope, read by the query filters on every query.</summary>
    public int? CurrentTenantId => tenant.TenantId;

    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<TenantMembership> TenantMemberships => Set<TenantMembership>();
    public DbSet<Device> Devices => Set<Device>();
    public DbSet<CredentialProfile> CredentialProfiles => Set<CredentialProfile>();
    public DbSet<DeviceCredentialProfile> DeviceCredentialProfiles => Set<DeviceCredentialProfile>();
    public DbSet<BackupRun> BackupRuns => Set<BackupRun>();
    public DbSet<BulkBackupRequest> BulkBackupRequests => Set<BulkBackupRequest>();
    public DbSet<BulkBackupItem> BulkBackupItems => Set<BulkBackupItem>();
    public DbSet<Domain.Scheduling.BackupSchedule> BackupSchedules => Set<Domain.Scheduling.BackupSchedule>();
    public DbSet<Snapshot> Snapshots => Set<Snapshot>();
    public DbSet<SnapshotContent> SnapshotContents => Set<SnapshotContent>();
    public DbSet<SnapshotDiff> SnapshotDiffs => Set<SnapshotDiff>();
    public DbSet<Domain.Snapshots.Browsing.DeviceLatestConfig> DeviceLatestConfigs => Set<Domain.Snapshots.Browsing.DeviceLatestConfig>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<AuditChainHead> AuditChainHeads => Set<AuditChainHead>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<Domain.Notifications.NotificationChannel> NotificationChannels => Set<Domain.Notifications.NotificationChannel>();
    public DbSet<Domain.Notifications.NotificationDelivery> NotificationDeliveries => Set<Domain.Notifications.NotificationDelivery>();
    public DbSet<Domain.Preferences.UserPreference> UserPreferences => Set<Domain.Preferences.UserPreference>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    IQueryable<UserSummary> IPortalDb.Users => Users.AsNoTracking().Select(u => new UserSummary(u.Id, u.UserName ?? "", u.Email, u.DisplayName));

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);

        foreach (var entityType in builder.Model.GetEntityTypes())
        {
            if (typeof(ITenantOwned).IsAssignableFrom(entityType.ClrType))
                builder.Entity(entityType.ClrType).HasQueryFilter(TenantFilter(entityType.ClrType));
        }
        builder.Entity<AuditEntry>().HasQueryFilter(e => e.TenantId == CurrentTenantId);
    }

    private LambdaExpression TenantFilter(Type type)
    {
        var e = Expression.Parameter(type, "e");
        var tenantId = Expression.Convert(Expression.Property(e, nameof(ITenantOwned.TenantId)), typeof(int?));
        var current = Expression.Property(Expression.Constant(this), nameof(CurrentTenantId));
        return Expression.Lambda(Expression.Equal(tenantId, current), e);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        CheckTenantWrites();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        CheckTenantWrites();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>A write of a tenant-owned row must be in the scope's tenant, whatever id the caller supplied.</summary>
    private void CheckTenantWrites()
    {
        foreach (var entry in ChangeTracker.Entries<ITenantOwned>())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted)) continue;
            if (CurrentTenantId is not { } current)
                throw new TenantIsolationException($"A {entry.Entity.GetType().Name} cannot be written without an active tenant.");
            if (entry.State == EntityState.Added && entry.Entity.TenantId == 0)
                entry.Entity.TenantId = current;
            var original = entry.State == EntityState.Modified ? (int)entry.OriginalValues[nameof(ITenantOwned.TenantId)]! : entry.Entity.TenantId;
            if (entry.Entity.TenantId != current || original != current)
                throw new TenantIsolationException($"A {entry.Entity.GetType().Name} of another tenant cannot be written.");
        }
        foreach (var entry in ChangeTracker.Entries<AuditEntry>())
        {
            if (entry.State is EntityState.Modified or EntityState.Deleted)
                throw new InvalidOperationException("Audit entries are append-only.");
        }
    }
}
