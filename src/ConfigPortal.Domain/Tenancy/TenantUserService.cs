using System.Security.Cryptography;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Data;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Tenancy;

/// <summary>A member of the active tenant, for the users page.</summary>
public sealed record MemberView(int MembershipId, string UserId, string Email, string? DisplayName, TenantRole Role, bool IsDisabled,
    bool MustChangePassword, DateTime AddedAtUtc, bool IsYou);

/// <summary>The form that creates a user with a one-time password. Validated by the service, whatever the UI did.</summary>
public sealed class NewUserInput
{
    public string Email { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public TenantRole Role { get; set; } = TenantRole.Operator;
}

/// <summary>The new member and the one-time password, which is shown once and stored nowhere in clear.</summary>
public sealed record CreatedUser(MemberView Member, string OneTimePassword)
{
    public override string ToString() => $"CreatedUser {{ Member = {Member} }}";
}

/// <summary>
/// A tenant admin's user management: members and roles of the active tenant, accounts created with a one-time
/// password, accounts disabled. Memberships are tenant-owned rows (filtered and checked like any other); accounts are
/// reached through <see cref="IUserDirectory"/>. A tenant always keeps at least one enabled tenant admin.
/// </summary>
public sealed class TenantUserService(
    IPortalDbFactory dbFactory,
    TenantAccess access,
    IUserDirectory users,
    ICurrentActor actor,
    IAuditService audit,
    TimeProvider clock)
{
    public const int MaxDisplayNameLength = 100;
    public const int MaxEmailLength = 256;
    private const string LastAdminMessage = "A tenant must keep at least one enabled tenant admin.";

    public async Task<IReadOnlyList<MemberView>> ListAsync(CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ManageUsers, "manage users", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var memberships = await db.TenantMemberships.AsNoTracking().ToListAsync(ct);
        var accounts = (await users.FindManyAsync(memberships.Select(m => m.UserId).ToList(), ct)).ToDictionary(u => u.Id);
        return memberships
            .Where(m => accounts.ContainsKey(m.UserId))
            .Select(m => ToView(m, accounts[m.UserId]))
            .OrderBy(m => m.Email, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    public async Task<CreatedUser> CreateUserAsync(NewUserInput input, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageUsers, "manage users", ct);
        var email = input.Email?.Trim() ?? "";
        var displayName = input.DisplayName?.Trim() ?? "";
        var errors = new Dictionary<string, string[]>();
        if (EmailError(email) is { } emailError) errors[nameof(NewUserInput.Email)] = [emailError];
        if (displayName.Length == 0) errors[nameof(NewUserInput.DisplayName)] = ["Name is required."];
        else if (displayName.Length > MaxDisplayNameLength) errors[nameof(NewUserInput.DisplayName)] = [$"Name must be at most {MaxDisplayNameLength} characters."];
        else if (displayName.Any(char.IsControl)) errors[nameof(NewUserInput.DisplayName)] = ["Name must not contain control characters."];
        if (!Enum.IsDefined(input.Role)) errors[nameof(NewUserInput.Role)] = ["Choose a role from the list."];
        if (!errors.ContainsKey(nameof(NewUserInput.Email)) && await users.FindByEmailAsync(email, ct) is not null)
            errors[nameof(NewUserInput.Email)] = ["A user with this e-mail already exists: add them as an existing user instead."];
        if (errors.Count > 0) throw new ValidationException(errors);

        var password = GenerateOneTimePassword();
        var (user, createErrors) = await users.CreateAsync(email, displayName, password, grant.TenantId, ct);
        if (user is null)
            throw new ValidationException(new Dictionary<string, string[]> { [nameof(NewUserInput.Email)] = createErrors.ToArray() });

        try
        {
            await using var db = await dbFactory.CreateAsync(ct);
            var membership = await db.ExecuteInTransactionAsync(async ct =>
            {
                var m = new TenantMembership { TenantId = grant.TenantId, UserId = user.Id, Role = input.Role, CreatedAt = clock.GetUtcNow().UtcDateTime };
                db.TenantMemberships.Add(m);
                await db.SaveChangesAsync(ct);
                await audit.AppendAsync(db, [Record(grant.TenantId, AuditActions.UserCreated, user, new { email = user.Email, displayName, role = input.Role.ToString(), mustChangePassword = true })], ct);
                return m;
            }, ct);
            return new CreatedUser(ToView(membership, user), password);
        }
        catch
        {
            // The account and its membership belong together: an account without one is removed again.
            await users.DeleteAsync(user.Id, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Adds an account that already exists (a member of another tenant, say) to the active tenant.</summary>
    public async Task<MemberView> AddExistingUserAsync(string email, TenantRole role, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageUsers, "manage users", ct);
        email = email?.Trim() ?? "";
        if (EmailError(email) is { } emailError) throw ValidationException.For(nameof(NewUserInput.Email), emailError);
        if (!Enum.IsDefined(role)) throw ValidationException.For(nameof(NewUserInput.Role), "Choose a role from the list.");
        var user = await users.FindByEmailAsync(email, ct)
            ?? throw ValidationException.For(nameof(NewUserInput.Email), "No user has this e-mail: create the user instead.");

        await using var db = await dbFactory.CreateAsync(ct);
        if (await db.TenantMemberships.AnyAsync(m => m.UserId == user.Id, ct))
            throw ValidationException.For(nameof(NewUserInput.Email), $"{user.Email} is already a member of this tenant.");
        var membership = await db.ExecuteInTransactionAsync(async ct =>
        {
            var m = new TenantMembership { TenantId = grant.TenantId, UserId = user.Id, Role = role, CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.TenantMemberships.Add(m);
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, [Record(grant.TenantId, AuditActions.MemberAdded, user, new { email = user.Email, role = role.ToString() })], ct);
            return m;
        }, ct);
        return ToView(membership, user);
    }

    /// <summary>Changes a member's role: one <c>role_revoked</c> (the old role) and one <c>role_granted</c> (the new one).</summary>
    public async Task ChangeRoleAsync(int membershipId, TenantRole role, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageUsers, "manage users", ct);
        if (!Enum.IsDefined(role)) throw ValidationException.For(nameof(NewUserInput.Role), "Choose a role from the list.");
        await using var db = await dbFactory.CreateAsync(ct);
        var membership = await db.TenantMemberships.FirstOrDefaultAsync(m => m.Id == membershipId, ct)
            ?? throw await access.NotFoundAsync("membership", membershipId, ct);
        if (membership.Role == role) return;
        var user = await RequireUserAsync(membership, ct);
        var disabledAdmins = await DisabledAdminIdsAsync(db, ct);

        var previous = membership.Role;
        await db.ExecuteInTransactionAsync(async ct =>
        {
            var tracked = await db.TenantMemberships.SingleAsync(m => m.Id == membershipId, ct);
            tracked.Role = role;
            await db.SaveChangesAsync(ct);
            await EnsureAnAdminRemainsAsync(db, disabledAdmins, ct);
            await audit.AppendAsync(db,
            [
                Record(grant.TenantId, AuditActions.RoleRevoked, user, new { email = user.Email, role = previous.ToString(), newRole = role.ToString() }),
                Record(grant.TenantId, AuditActions.RoleGranted, user, new { email = user.Email, role = role.ToString(), previousRole = previous.ToString() }),
            ], ct);
        }, ct);
    }

    /// <summary>Removes a member from the active tenant (the account stays; it may belong to other tenants).</summary>
    public async Task RemoveMemberAsync(int membershipId, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageUsers, "manage users", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var membership = await db.TenantMemberships.FirstOrDefaultAsync(m => m.Id == membershipId, ct)
            ?? throw await access.NotFoundAsync("membership", membershipId, ct);
        var user = await RequireUserAsync(membership, ct);
        var disabledAdmins = await DisabledAdminIdsAsync(db, ct);

        var removedRole = membership.Role;
        await db.ExecuteInTransactionAsync(async ct =>
        {
            db.TenantMemberships.Remove(await db.TenantMemberships.SingleAsync(m => m.Id == membershipId, ct));
            await db.SaveChangesAsync(ct);
            await EnsureAnAdminRemainsAsync(db, disabledAdmins, ct);
            await audit.AppendAsync(db, [Record(grant.TenantId, AuditActions.MemberRemoved, user, new { email = user.Email, role = removedRole.ToString() })], ct);
        }, ct);
    }

    /// <summary>
    /// Disables a member's account (no sign-in anywhere). Only for accounts that belong to this tenant alone: a tenant
    /// admin must not lock a user out of other tenants; remove the membership instead.
    /// </summary>
    public Task DisableUserAsync(int membershipId, CancellationToken ct = default) => SetDisabledAsync(membershipId, true, ct);

    public Task EnableUserAsync(int membershipId, CancellationToken ct = default) => SetDisabledAsync(membershipId, false, ct);

    private async Task SetDisabledAsync(int membershipId, bool disabled, CancellationToken ct)
    {
        var grant = await access.DemandAsync(Permission.ManageUsers, "manage users", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var membership = await db.TenantMemberships.AsNoTracking().FirstOrDefaultAsync(m => m.Id == membershipId, ct)
            ?? throw await access.NotFoundAsync("membership", membershipId, ct);
        var user = await RequireUserAsync(membership, ct);
        if (user.IsDisabled == disabled) return;
        if (disabled && user.Id == actor.UserId)
            throw ValidationException.For("user", "You cannot disable your own account.");
        if (user.IsPlatformAdmin)
            throw ValidationException.For("user", "A platform admin's account is managed by the platform.");
        if (await users.MembershipCountAsync(user.Id, ct) > 1)
            throw ValidationException.For("user", $"{user.Email} is a member of other tenants too: remove the membership instead.");
        if (disabled && membership.Role == TenantRole.TenantAdmin)
        {
            var disabledAdmins = await DisabledAdminIdsAsync(db, ct);
            disabledAdmins.Add(user.Id);
            await EnsureAnAdminRemainsAsync(db, disabledAdmins, ct);
        }

        await users.SetDisabledAsync(user.Id, disabled, ct);
        await audit.RecordAsync(Record(grant.TenantId, disabled ? AuditActions.UserDisabled : AuditActions.UserEnabled, user, new { email = user.Email }), ct);
    }

    private async Task<DirectoryUser> RequireUserAsync(TenantMembership membership, CancellationToken ct) =>
        await users.FindByIdAsync(membership.UserId, ct)
        ?? throw await access.NotFoundAsync("membership", membership.Id, ct);

    /// <summary>The tenant admins whose accounts are disabled (they do not count as the remaining admin).</summary>
    private async Task<HashSet<string>> DisabledAdminIdsAsync(IPortalDb db, CancellationToken ct)
    {
        var adminIds = await db.TenantMemberships.AsNoTracking().Where(m => m.Role == TenantRole.TenantAdmin).Select(m => m.UserId).ToListAsync(ct);
        return (await users.FindManyAsync(adminIds, ct)).Where(u => u.IsDisabled).Select(u => u.Id).ToHashSet();
    }

    /// <summary>Checked after the change is written, inside its transaction (a concurrent demotion sees it).</summary>
    private static async Task EnsureAnAdminRemainsAsync(IPortalDb db, HashSet<string> disabledAdmins, CancellationToken ct)
    {
        var admins = await db.TenantMemberships.AsNoTracking().Where(m => m.Role == TenantRole.TenantAdmin).Select(m => m.UserId).ToListAsync(ct);
        if (!admins.Any(id => !disabledAdmins.Contains(id)))
            throw ValidationException.For(nameof(NewUserInput.Role), LastAdminMessage);
    }

    private MemberView ToView(TenantMembership m, DirectoryUser u) =>
        new(m.Id, u.Id, u.Email, u.DisplayName, m.Role, u.IsDisabled, u.MustChangePassword, m.CreatedAt, u.Id == actor.UserId);

    private static AuditRecord Record(int tenantId, string action, DirectoryUser user, object details) => new()
    {
        TenantId = tenantId,
        Action = action,
        ResourceType = "user",
        ResourceId = user.Id,
        Details = details,
    };

    public static string? EmailError(string email)
    {
        if (email.Length == 0) return "E-mail is required.";
        if (email.Length > MaxEmailLength) return $"E-mail must be at most {MaxEmailLength} characters.";
        if (email.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            || !System.Net.Mail.MailAddress.TryCreate(email, out var parsed)
            || !string.Equals(parsed.Address, email, StringComparison.Ordinal)
            || !parsed.Host.Contains('.', StringComparison.Ordinal))
            return "Enter an e-mail address such as name@example.com.";
        return null;
    }

    private const string PasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    /// <summary>Four groups of five from an unambiguous alphabet (about 116 bits), e.g. <c>Hk7pQ-...</c>.</summary>
    internal static string GenerateOneTimePassword()
    {
        while (true)
        {
            var chars = RandomNumberGenerator.GetItems<char>(PasswordAlphabet, 20);
            var s = string.Join('-', Enumerable.Range(0, 4).Select(i => new string(chars, i * 5, 5)));
            // Every character class, whatever the password policy asks for.
            if (s.Any(char.IsDigit) && s.Any(char.IsUpper) && s.Any(char.IsLower)) return s;
        }
    }
}
