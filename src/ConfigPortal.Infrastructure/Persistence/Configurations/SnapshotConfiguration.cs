using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Snapshots;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConfigPortal.Infrastructure.Persistence.Configurations;

internal sealed class SnapshotConfiguration : IEntityTypeConfiguration<Snapshot>
{
    public void Configure(EntityTypeBuilder<Snapshot> b)
    {
        b.Property(s => s.CompareHash).HasMaxLength(64).IsUnicode(false).IsRequired();
        b.Property(s => s.Trigger).HasMaxLength(20).IsRequired();
        b.Property(s => s.TriggeredBy).HasMaxLength(256);
        b.HasIndex(s => new { s.TenantId, s.DeviceId, s.Id });
        b.HasOne<Device>().WithMany().HasForeignKey(s => s.DeviceId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SnapshotContentConfiguration : IEntityTypeConfiguration<SnapshotContent>
{
    public void Configure(EntityTypeBuilder<SnapshotContent> b)
    {
        b.HasKey(c => c.SnapshotId);
        b.Property(c => c.SnapshotId).ValueGeneratedNever();
        b.HasOne<Snapshot>().WithOne().HasForeignKey<SnapshotContent>(c => c.SnapshotId).OnDelete(DeleteBehavior.Cascade);
        // A delta's keyframe: the database refuses to delete a keyframe that deltas still need (no cascade path either).
        b.HasOne<Snapshot>().WithMany().HasForeignKey(c => c.BaseSnapshotId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(c => c.BaseSnapshotId);
    }
}

internal sealed class SnapshotDiffConfiguration : IEntityTypeConfiguration<SnapshotDiff>
{
    public void Configure(EntityTypeBuilder<SnapshotDiff> b)
    {
        b.HasIndex(d => new { d.TenantId, d.DeviceId, d.ToSnapshotId });
        b.HasIndex(d => d.FromSnapshotId);
        // Two paths to Snapshots: no cascades (SQL Server refuses multiple cascade paths).
        b.HasOne<Snapshot>().WithMany().HasForeignKey(d => d.FromSnapshotId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Snapshot>().WithMany().HasForeignKey(d => d.ToSnapshotId).OnDelete(DeleteBehavior.Restrict);
    }
}
