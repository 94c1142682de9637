namespace ConfigPortal.Domain.Common;

/// <summary>A row that belongs to exactly one tenant. Reads are filtered and writes are checked by the DbContext.</summary>
public interface ITenantOwned
{
    int TenantId { get; set; }
}

/// <summary>Thrown when an id does not exist in the caller's tenant (also for ids of other tenants: never leak existence).</summary>
public sealed class NotFoundException(string resourceType, string resourceId)
    : Exception($"{resourceType} {resourceId} was not found.")
{
    public string ResourceType { get; } = resourceType;
    public string ResourceId { get; } = resourceId;
}

/// <summary>Thrown when the caller's role in the active tenant does not allow the operation.</summary>
public sealed class AccessDeniedException(string message) : Exception(message);

/// <summary>Thrown for bad input; the messages are safe to show to the user.</summary>
public sealed class ValidationException(IReadOnlyDictionary<string, string[]> errors)
    : Exception(string.Join(" ", errors.SelectMany(e => e.Value)))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static ValidationException For(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>Thrown by SaveChanges when a tenant-owned row of another tenant is written.</summary>
public sealed class TenantIsolationException(string message) : Exception(message);

/// <summary>A page of rows from a server-side query.</summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, int TotalCount);
