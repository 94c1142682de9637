using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConfigPortal.Infrastructure.Persistence.Configurations;

internal sealed class BackupScheduleConfiguration : IEntityTypeConfiguration<BackupSchedule>
{
    public void Configure(EntityTypeBuilder<BackupSchedule> b)
    {
        b.Property(s => s.ScopeKey).HasMaxLength(Device.MaxGroupLength + 10).IsRequired();
        b.Property(s => s.GroupName).HasMaxLength(Device.MaxGroupLength);
        b.Property(s => s.CronExpression).HasMaxLength(BackupSchedule.MaxCronLength).IsRequired();
        b.Property(s => s.TimeZoneId).HasMaxLength(BackupSchedule.MaxTimeZoneLength).IsRequired();
        // One schedule per target: the tenant default, a group, a device.
        b.HasIndex(s => new { s.TenantId, s.ScopeKey }).IsUnique();
        b.HasOne<Device>().WithMany().HasForeignKey(s => s.DeviceId).OnDelete(DeleteBehavior.Cascade);
    }
}
