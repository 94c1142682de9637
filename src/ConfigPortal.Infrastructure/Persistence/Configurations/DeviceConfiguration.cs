using ConfigPortal.Domain.Credentials;
using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConfigPortal.Infrastructure.Persistence.Configurations;

internal sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> b)
    {
        b.Property(d => d.Name).HasMaxLength(100).IsRequired();
        b.Property(d => d.Address).HasMaxLength(253).IsRequired();
        b.Property(d => d.Vendor).HasMaxLength(40).IsRequired();
        b.Property(d => d.HostKeyFingerprint).HasMaxLength(128);
        b.Property(d => d.LastRunMessage).HasMaxLength(500);
        b.Property(d => d.Group).HasMaxLength(Device.MaxGroupLength);
        b.HasIndex(d => new { d.TenantId, d.Name }).IsUnique();
        // One index per sortable grid column (name is the unique index above).
        b.HasIndex(d => new { d.TenantId, d.Address });
        b.HasIndex(d => new { d.TenantId, d.Vendor, d.Name });
        b.HasIndex(d => new { d.TenantId, d.LastRunAtUtc });
        b.HasIndex(d => new { d.TenantId, d.SnapshotCount });
        b.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<CredentialProfile>().WithMany().HasForeignKey(d => d.CredentialProfileId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CredentialProfileConfiguration : IEntityTypeConfiguration<CredentialProfile>
{
    public void Configure(EntityTypeBuilder<CredentialProfile> b)
    {
        b.Property(c => c.Name).HasMaxLength(100).IsRequired();
        b.Property(c => c.Username).HasMaxLength(100).IsRequired();
        b.HasIndex(c => new { c.TenantId, c.Name }).IsUnique();
        b.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
