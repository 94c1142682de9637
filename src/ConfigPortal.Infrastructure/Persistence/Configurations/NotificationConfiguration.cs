using ConfigPortal.Domain.Devices;
using ConfigPortal.Domain.Notifications;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConfigPortal.Infrastructure.Persistence.Configurations;

internal sealed class NotificationChannelConfiguration : IEntityTypeConfiguration<NotificationChannel>
{
    public void Configure(EntityTypeBuilder<NotificationChannel> b)
    {
        b.Property(c => c.Name).HasMaxLength(NotificationChannel.MaxNameLength).IsRequired();
        b.Property(c => c.Groups).HasMaxLength(4000);
        b.Property(c => c.SmtpHost).HasMaxLength(253);
        b.Property(c => c.SmtpUsername).HasMaxLength(200);
        b.Property(c => c.ProtectedSmtpPassword).HasMaxLength(2000);
        b.Property(c => c.FromAddress).HasMaxLength(254);
        b.Property(c => c.Recipients).HasMaxLength(13000);
        b.Property(c => c.WebhookUrl).HasMaxLength(NotificationChannelService.MaxUrlLength);
        b.Property(c => c.ProtectedWebhookSecret).HasMaxLength(2000);
        b.HasIndex(c => new { c.TenantId, c.Name }).IsUnique();
        b.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class NotificationDeliveryConfiguration : IEntityTypeConfiguration<NotificationDelivery>
{
    public void Configure(EntityTypeBuilder<NotificationDelivery> b)
    {
        b.Property(d => d.DeviceName).HasMaxLength(100);
        b.Property(d => d.CorrelationId).HasMaxLength(64);
        b.Property(d => d.Payload).IsRequired();
        b.Property(d => d.ClaimToken).HasMaxLength(64);
        b.Property(d => d.Result).HasMaxLength(500);
        // The dispatcher's poll: due pending rows and expired claims, oldest first.
        b.HasIndex(d => new { d.Status, d.NextAttemptAtUtc });
        // The delivery list of a tenant / channel, newest first.
        b.HasIndex(d => new { d.TenantId, d.ChannelId, d.Id });
        b.HasOne<NotificationChannel>().WithMany().HasForeignKey(d => d.ChannelId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Device>().WithMany().HasForeignKey(d => d.DeviceId).OnDelete(DeleteBehavior.SetNull);
    }
}
