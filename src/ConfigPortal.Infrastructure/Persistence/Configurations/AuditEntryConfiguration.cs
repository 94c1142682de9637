using ConfigPortal.Domain.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConfigPortal.Infrastructure.Persistence.Configurations;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        // No foreign keys: the audit trail outlives the rows it names.
        b.Property(e => e.ActorId).HasMaxLength(450);
        b.Property(e => e.ActorName).HasMaxLength(256).IsRequired();
        b.Property(e => e.Action).HasMaxLength(64).IsUnicode(false).IsRequired();
        b.Property(e => e.ResourceType).HasMaxLength(64);
        b.Property(e => e.ResourceId).HasMaxLength(128);
        b.Property(e => e.DeviceName).HasMaxLength(100);
        b.Property(e => e.ClientIp).HasMaxLength(64);
        b.Property(e => e.UserAgent).HasMaxLength(256);
        b.Property(e => e.CorrelationId).HasMaxLength(64);
        b.Property(e => e.PreviousHash).HasMaxLength(64).IsUnicode(false).IsRequired();
        b.Property(e => e.Hash).HasMaxLength(64).IsUnicode(false).IsRequired();
        b.Property(e => e.DetailsJson).IsRequired();

        // Gapless chain per tenant; every grid filter has an index ending in Sequence for keyset paging.
        b.HasIndex(e => new { e.TenantId, e.Sequence }).IsUnique();
        // Time window → sequence range: two seeks (first entry from, last entry before), see AuditQueryService.Apply.
        b.HasIndex(e => new { e.TenantId, e.TimestampUtc, e.Sequence });
        b.HasIndex(e => new { e.TenantId, e.Action, e.Sequence });
        b.HasIndex(e => new { e.TenantId, e.DeviceId, e.Sequence });
        b.HasIndex(e => new { e.TenantId, e.ActorName, e.Sequence });
        b.HasIndex(e => new { e.TenantId, e.Outcome, e.Sequence });
        b.HasIndex(e => new { e.TenantId, e.CorrelationId });
        // The free-text search (details, actor, device name) scans within the tenant: DetailsJson is nvarchar(max) on
        // SQL Server and cannot be indexed; a full-text index is an option for DBAs (docs/operations.md).
    }
}

internal sealed class AuditChainHeadConfiguration : IEntityTypeConfiguration<AuditChainHead>
{
    public void Configure(EntityTypeBuilder<AuditChainHead> b)
    {
        b.HasKey(h => h.TenantId);
        b.Property(h => h.TenantId).ValueGeneratedNever();
        b.Property(h => h.LastHash).HasMaxLength(64).IsUnicode(false).IsRequired();
    }
}
