namespace ConfigPortal.Domain.Audit;

public enum AuditOutcome
{
    Success = 1,
    Failure = 2,
    Denied = 3,
}

/// <summary>
/// One audit entry. Append-only: the application has no update or delete path. Entries of a tenant form a hash
/// chain: <see cref="Hash"/> = HMAC-SHA256(key, previous hash + canonical form). TenantId 0 is the platform chain
/// (sign-in failures of unknown users, platform administration).
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public int TenantId { get; set; }
    public long Sequence { get; set; }
    public DateTime TimestampUtc { get; set; }
    public Tenancy.ActorKind ActorKind { get; set; }
    public string? ActorId { get; set; }
    public required string ActorName { get; set; }
    public required string Action { get; set; }
    public string? ResourceType { get; set; }
    public string? ResourceId { get; set; }
    public int? DeviceId { get; set; }
    public string? DeviceName { get; set; }
    public string? ClientIp { get; set; }
    public string? UserAgent { get; set; }
    public string? CorrelationId { get; set; }
    public AuditOutcome Outcome { get; set; }
    public string DetailsJson { get; set; } = "{}";
    public required string PreviousHash { get; set; }
    public required string Hash { get; set; }
}

/// <summary>The head of a tenant's chain; updating it first serializes appenders of one tenant.</summary>
public sealed class AuditChainHead
{
    public int TenantId { get; set; }
    public long LastSequence { get; set; }
    public string LastHash { get; set; } = AuditHasher.GenesisHash;
    public DateTime UpdatedAtUtc { get; set; }
}

/// <summary>What a caller hands to the audit service. Actor, IP and correlation id default to the current caller.</summary>
public sealed record AuditRecord
{
    public int TenantId { get; init; }
    public required string Action { get; init; }
    public string? ResourceType { get; init; }
    public string? ResourceId { get; init; }
    public int? DeviceId { get; init; }
    public string? DeviceName { get; init; }
    public AuditOutcome Outcome { get; init; } = AuditOutcome.Success;
    public object? Details { get; init; }

    /// <summary>Overrides for the actor; when null the scope's current actor is used.</summary>
    public Tenancy.ActorKind? ActorKind { get; init; }
    public string? ActorId { get; init; }
    public string? ActorName { get; init; }
    public string? ClientIp { get; init; }
    public string? CorrelationId { get; init; }
}
