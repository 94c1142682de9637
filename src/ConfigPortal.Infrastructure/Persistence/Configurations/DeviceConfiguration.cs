using ConfigPortal.Domain.Configs;
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
        b.Property(d => d.OfferedHostKeyFingerprint).HasMaxLength(128);
        b.Property(d => d.CustomDeleteFilters).HasMaxLength(CustomFilterSet.MaxTextLength);
        b.Property(d => d.CustomIgnoreFilters).HasMaxLength(CustomFilterSet.MaxTextLength);
        b.Property(d => d.LastRunMessage).HasMaxLength(500);
        b.Property(d => d.Group).HasMaxLength(Device.MaxGroupLength);
        b.HasIndex(d => new { d.TenantId, d.Name }).IsUnique();
        // One index per sortable grid column (name is the unique index above).
        b.HasIndex(d => new { d.TenantId, d.Address });
        b.HasIndex(d => new { d.TenantId, d.Vendor, d.Name });
        b.HasIndex(d => new { d.TenantId, d.LastRunAtUtc });
        b.HasIndex(d => new { d.TenantId, d.SnapshotCount });
        // The Runs page's group filter and "back up a group".
        b.HasIndex(d => new { d.TenantId, d.Group, d.Name });
        b.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class DeviceCredentialProfileConfiguration : IEntityTypeConfiguration<DeviceCredentialProfile>
{
    public void Configure(EntityTypeBuilder<DeviceCredentialProfile> b)
    {
        b.HasIndex(x => new { x.DeviceId, x.CredentialProfileId }).IsUnique();
        b.HasIndex(x => new { x.DeviceId, x.Position }).IsUnique();
        b.HasIndex(x => x.CredentialProfileId);
        // One cascade path only (device → its list); SQL Server refuses multiple cascade paths.
        b.HasOne<Device>().WithMany().HasForeignKey(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<CredentialProfile>().WithMany().HasForeignKey(x => x.CredentialProfileId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Restrict);
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
