using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConfigPortal.Infrastructure.Persistence.Configurations;

internal sealed class BulkBackupRequestConfiguration : IEntityTypeConfiguration<BulkBackupRequest>
{
    public void Configure(EntityTypeBuilder<BulkBackupRequest> b)
    {
        b.Property(r => r.Group).HasMaxLength(Device.MaxGroupLength);
        b.Property(r => r.RequestedByUserId).HasMaxLength(450);
        b.Property(r => r.RequestedByName).HasMaxLength(256).IsRequired();
        b.Property(r => r.ClientIp).HasMaxLength(64);
        b.Property(r => r.CorrelationId).HasMaxLength(64).IsRequired();
        b.HasIndex(r => new { r.TenantId, r.Id });
        b.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class BulkBackupItemConfiguration : IEntityTypeConfiguration<BulkBackupItem>
{
    public void Configure(EntityTypeBuilder<BulkBackupItem> b)
    {
        b.Property(i => i.SkipReason).HasMaxLength(BulkBackupItem.MaxReasonLength);
        // The Runs page filtered to a bulk request, and the progress of one.
        b.HasIndex(i => new { i.BulkRequestId, i.RunId });
        // The bulk id shown on a run's row.
        b.HasIndex(i => i.RunId);
        b.HasOne<BulkBackupRequest>().WithMany().HasForeignKey(i => i.BulkRequestId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Device>().WithMany().HasForeignKey(i => i.DeviceId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<BackupRun>().WithMany().HasForeignKey(i => i.RunId).OnDelete(DeleteBehavior.Restrict);
    }
}
