using ConfigPortal.Domain.Tenancy;
using ConfigPortal.Infrastructure.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Infrastructure.Identity;

/// <summary>
/// The domain's view of the accounts, over Identity's UserManager. A scope (a Blazor circuit) lives for hours and so
/// does its UserManager's context: reads go past its cache (no tracking) and writes reload the row first.
/// </summary>
internal sealed class UserDirectory(UserManager<ApplicationUser> userManager, PortalDbContext identityDb, PlatformQueries platform, TimeProvider clock) : IUserDirectory
{
    public async Task<DirectoryUser?> FindByIdAsync(string userId, CancellationToken ct = default) =>
        string.IsNullOrEmpty(userId) ? null : ToDirectory(await userManager.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct));

    public async Task<DirectoryUser?> FindByEmailAsync(string email, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(email)) return null;
        var normalized = userManager.NormalizeEmail(email.Trim());
        return ToDirectory(await userManager.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, ct));
    }

    public async Task<IReadOnlyList<DirectoryUser>> FindManyAsync(IReadOnlyCollection<string> userIds, CancellationToken ct = default)
    {
        if (userIds.Count == 0) return [];
        var ids = userIds.Distinct().ToList();
        var rows = await userManager.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToListAsync(ct);
        return rows.Select(u => ToDirectory(u)!).ToList();
    }

    public async Task<(DirectoryUser? User, IReadOnlyList<string> Errors)> CreateAsync(string email, string displayName, string password, int activeTenantId, CancellationToken ct = default)
    {
        var user = new ApplicationUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = displayName,
            ActiveTenantId = activeTenantId,
            MustChangePassword = true,
            CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
        };
        var result = await userManager.CreateAsync(user, password);
        return result.Succeeded
            ? (ToDirectory(user), [])
            : (null, result.Errors.Select(e => e.Description).ToList());
    }

    public async Task DeleteAsync(string userId, CancellationToken ct = default)
    {
        if (await userManager.FindByIdAsync(userId) is { } user)
        {
            await identityDb.Entry(user).ReloadAsync(ct);
            await userManager.DeleteAsync(user);
        }
    }

    public async Task SetDisabledAsync(string userId, bool disabled, CancellationToken ct = default)
    {
        var user = await userManager.FindByIdAsync(userId) ?? throw new InvalidOperationException("The user does not exist.");
        await identityDb.Entry(user).ReloadAsync(ct);
        user.IsDisabled = disabled;
        var result = await userManager.UpdateAsync(user);
        if (!result.Succeeded) throw new InvalidOperationException("Updating the user failed: " + string.Join("; ", result.Errors.Select(e => e.Code)));
        // A new stamp makes the cookie and circuit revalidation drop the user's sessions.
        if (disabled) await userManager.UpdateSecurityStampAsync(user);
    }

    public Task<int> MembershipCountAsync(string userId, CancellationToken ct = default) => platform.MembershipCountOfUserAsync(userId, ct);

    private static DirectoryUser? ToDirectory(ApplicationUser? u) => u is null
        ? null
        : new DirectoryUser(u.Id, u.Email ?? u.UserName ?? "", u.DisplayName, u.IsDisabled, u.IsPlatformAdmin, u.MustChangePassword);
}
