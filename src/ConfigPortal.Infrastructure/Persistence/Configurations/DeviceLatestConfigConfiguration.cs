using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots.Browsing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConfigPortal.Infrastructure.Persistence.Configurations;

internal sealed class DeviceLatestConfigConfiguration : IEntityTypeConfiguration<DeviceLatestConfig>
{
    public void Configure(EntityTypeBuilder<DeviceLatestConfig> b)
    {
        b.HasKey(l => l.DeviceId);
        b.Property(l => l.DeviceId).ValueGeneratedNever();
        b.Property(l => l.Text).IsRequired();
        b.HasIndex(l => new { l.TenantId, l.DeviceId });
        b.HasOne<Device>().WithOne().HasForeignKey<DeviceLatestConfig>(l => l.DeviceId).OnDelete(DeleteBehavior.Cascade);
    }
}
