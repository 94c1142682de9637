using ConfigPortal.Domain.Preferences;
using ConfigPortal.Infrastructure.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ConfigPortal.Infrastructure.Persistence.Configurations;

internal sealed class UserPreferenceConfiguration : IEntityTypeConfiguration<UserPreference>
{
    public void Configure(EntityTypeBuilder<UserPreference> b)
    {
        b.ToTable("UserPreferences");
        b.HasKey(p => new { p.UserId, p.Name });
        b.Property(p => p.UserId).HasMaxLength(450);
        b.Property(p => p.Name).HasMaxLength(64).IsUnicode(false);
        b.Property(p => p.Value).HasMaxLength(256).IsRequired();
        // A deleted user takes their preferences along.
        b.HasOne<ApplicationUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
