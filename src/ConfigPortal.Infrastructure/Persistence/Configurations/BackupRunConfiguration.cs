using ConfigPortal.Domain.Backups;
using ConfigPortal.Domain.Devices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConfigPortal.Infrastructure.Persistence.Configurations;

internal sealed class BackupRunConfiguration : IEntityTypeConfiguration<BackupRun>
{
    public void Configure(EntityTypeBuilder<BackupRun> b)
    {
        b.Property(r => r.RequestedByUserId).HasMaxLength(450);
        b.Property(r => r.RequestedByName).HasMaxLength(256).IsRequired();
        b.Property(r => r.ClientIp).HasMaxLength(64);
        b.Property(r => r.Message).HasMaxLength(500);
        b.Property(r => r.CorrelationId).HasMaxLength(64).IsRequired();
        // The run lock: at most one queued or running run per device (NULLs do not collide).
        b.HasIndex(r => r.ActiveDeviceId).IsUnique();
        b.HasIndex(r => new { r.TenantId, r.DeviceId, r.Id });
        b.HasIndex(r => new { r.Status, r.QueuedAtUtc });
        // The Runs grid (newest first by id, keyset on id): one index per filter that narrows a large history.
        b.HasIndex(r => new { r.TenantId, r.Id });
        b.HasIndex(r => new { r.TenantId, r.QueuedAtUtc });
        b.HasIndex(r => new { r.TenantId, r.Trigger, r.Id });
        b.HasIndex(r => new { r.TenantId, r.Outcome, r.Id });
        b.HasIndex(r => new { r.TenantId, r.FailureKind, r.Id });
        // Exactly one run per device and schedule slot (and retry attempt): the planner's idempotent insert.
        b.Property(r => r.OwnerInstanceId).HasMaxLength(200);
        b.HasIndex(r => new { r.DeviceId, r.ScheduledSlotUtc, r.SlotAttempt }).IsUnique();
        b.HasIndex(r => r.ScheduledSlotUtc);
        b.HasIndex(r => r.LeaseExpiresAtUtc);
        b.HasOne<Device>().WithMany().HasForeignKey(r => r.DeviceId).OnDelete(DeleteBehavior.Restrict);
    }
}
