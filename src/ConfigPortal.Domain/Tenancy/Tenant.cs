namespace ConfigPortal.Domain.Tenancy;

public sealed class Tenant
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Slug { get; set; }
    public bool IsSuspended { get; set; }

    /// <summary>Mask passwords, secrets and communities before storage (on by default).</summary>
    public bool SecretMaskingEnabled { get; set; } = true;

    /// <summary>Extra delete filters for every device of the tenant: one regex per line.</summary>
    public string? CustomDeleteFilters { get; set; }
    /// <summary>Extra ignore filters for every device of the tenant: one regex per line.</summary>
    public string? CustomIgnoreFilters { get; set; }

    /// <summary>Keep audit entries this many days (retention removes older ranges daily); null keeps everything (default).</summary>
    public int? AuditRetentionDays { get; set; }

    public DateTime CreatedAt { get; set; }
}

public enum TenantRole
{
    Auditor = 1,
    Operator = 2,
    TenantAdmin = 3,
}

public sealed class TenantMembership : Common.ITenantOwned
{
    public int Id { get; set; }
    public int TenantId { get; set; }
    public required string UserId { get; set; }
    public TenantRole Role { get; set; }
    public DateTime CreatedAt { get; set; }
}
