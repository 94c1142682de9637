using Microsoft.AspNetCore.Identity;

namespace ConfigPortal.Infrastructure.Identity;

public sealed class ApplicationUser : IdentityUser
{
    public string? DisplayName { get; set; }

    /// <summary>The tenant the user last worked in; becomes the active tenant at sign-in.</summary>
    public int? ActiveTenantId { get; set; }

    public bool IsPlatformAdmin { get; set; }
    public bool IsDisabled { get; set; }
    public bool MustChangePassword { get; set; }
    public DateTime CreatedAtUtc { get; set; }
}
