namespace ConfigPortal.Domain.Tenancy;

/// <summary>A user account as the administration services see it (Identity lives in the infrastructure).</summary>
public sealed record DirectoryUser(string Id, string Email, string? DisplayName, bool IsDisabled, bool IsPlatformAdmin, bool MustChangePassword);

/// <summary>
/// The user accounts, across tenants. Accounts are not tenant-owned (a user may belong to several tenants), so the
/// callers decide what a tenant admin may do with them; this interface only reads and writes accounts.
/// Implemented over ASP.NET Core Identity's UserManager in the infrastructure.
/// </summary>
public interface IUserDirectory
{
    Task<DirectoryUser?> FindByIdAsync(string userId, CancellationToken ct = default);

    Task<DirectoryUser?> FindByEmailAsync(string email, CancellationToken ct = default);

    Task<IReadOnlyList<DirectoryUser>> FindManyAsync(IReadOnlyCollection<string> userIds, CancellationToken ct = default);

    /// <summary>Creates an account that must change its password at the first sign-in. Errors are safe to show.</summary>
    Task<(DirectoryUser? User, IReadOnlyList<string> Errors)> CreateAsync(string email, string displayName, string password, int activeTenantId, CancellationToken ct = default);

    /// <summary>Deletes an account created moments ago whose membership could not be written (compensation).</summary>
    Task DeleteAsync(string userId, CancellationToken ct = default);

    /// <summary>Disables or enables sign-in; disabling also renews the security stamp so open sessions end.</summary>
    Task SetDisabledAsync(string userId, bool disabled, CancellationToken ct = default);

    /// <summary>How many tenants the user is a member of (suspended tenants included).</summary>
    Task<int> MembershipCountAsync(string userId, CancellationToken ct = default);
}
