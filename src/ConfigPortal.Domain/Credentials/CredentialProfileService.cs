using System.Globalization;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Credentials;

/// <summary>What a page may see of a credential profile: never a secret, only whether one is set.</summary>
public sealed record CredentialProfileView(int Id, string Name, string Username, bool HasPassword, bool HasPrivateKey, bool HasEnableSecret,
    bool HasPassphrase = false, int DeviceCount = 0, DateTime? UpdatedAtUtc = null);

public sealed class CredentialProfileInput
{
    public string Name { get; set; } = "";
    public string Username { get; set; } = "";
    /// <summary>Null keeps the stored value (on update), a value replaces it, empty clears it.</summary>
    public string? Password { get; set; }
    public string? PrivateKey { get; set; }
    public string? Passphrase { get; set; }
    public string? EnableSecret { get; set; }

    public override string ToString() => $"CredentialProfileInput {{ Name = {Name}, Username = {Username} }}";
}

public sealed class CredentialProfileService(IPortalDbFactory dbFactory, TenantAccess access, ISecretProtector protector, IAuditService audit, TimeProvider clock)
{
    public async Task<IReadOnlyList<CredentialProfileView>> ListAsync(CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ViewDevices, "list credential profiles", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        return await db.CredentialProfiles.AsNoTracking().OrderBy(c => c.Name)
            .Select(c => new CredentialProfileView(c.Id, c.Name, c.Username, c.ProtectedPassword != null, c.ProtectedPrivateKey != null, c.ProtectedEnableSecret != null,
                c.ProtectedPassphrase != null, db.DeviceCredentialProfiles.Count(x => x.CredentialProfileId == c.Id), c.UpdatedAtUtc))
            .ToListAsync(ct);
    }

    /// <summary>One profile for the edit form: which secrets are set, never their values.</summary>
    public async Task<CredentialProfileView> GetAsync(int id, CancellationToken ct = default)
    {
        await access.DemandAsync(Permission.ManageDevices, "manage credentials", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        return await db.CredentialProfiles.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new CredentialProfileView(c.Id, c.Name, c.Username, c.ProtectedPassword != null, c.ProtectedPrivateKey != null, c.ProtectedEnableSecret != null,
                c.ProtectedPassphrase != null, db.DeviceCredentialProfiles.Count(x => x.CredentialProfileId == c.Id), c.UpdatedAtUtc))
            .FirstOrDefaultAsync(ct)
            ?? throw await access.NotFoundAsync("credential_profile", id, ct);
    }

    /// <summary>
    /// Updates a profile. Each secret: null keeps the stored value, a value replaces it, empty clears it. The audit
    /// entry says which secrets changed (booleans), never a value.
    /// </summary>
    public async Task UpdateAsync(int id, CredentialProfileInput input, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageDevices, "manage credentials", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        // The denial of a missing id is audited in its own transaction: checked before this one opens.
        var current = await db.CredentialProfiles.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct)
            ?? throw await access.NotFoundAsync("credential_profile", id, ct);
        var name = input.Name?.Trim() ?? "";
        var username = input.Username?.Trim() ?? "";
        var errors = new Dictionary<string, string[]>();
        if (name.Length is 0 or > 100) errors[nameof(input.Name)] = ["Name is required (at most 100 characters)."];
        if (username.Length is 0 or > 100) errors[nameof(input.Username)] = ["Username is required (at most 100 characters)."];
        var passwordAfter = input.Password is null ? current.ProtectedPassword is not null : input.Password.Length > 0;
        var keyAfter = input.PrivateKey is null ? current.ProtectedPrivateKey is not null : input.PrivateKey.Length > 0;
        if (!passwordAfter && !keyAfter)
            errors[nameof(input.Password)] = ["Give a password or a private key."];
        if (name.Length > 0 && await db.CredentialProfiles.AnyAsync(c => c.Name == name && c.Id != id, ct))
            errors[nameof(input.Name)] = [$"A credential profile named '{name}' already exists."];
        if (errors.Count > 0) throw new ValidationException(errors);

        // Encrypted before the transaction: the first use of the key ring may write a new key through another
        // context, which must not wait on this transaction's write lock (SQLite).
        var protectedPassword = Protect(grant.TenantId, input.Password);
        var protectedPrivateKey = Protect(grant.TenantId, input.PrivateKey);
        var protectedPassphrase = Protect(grant.TenantId, input.Passphrase);
        var protectedEnableSecret = Protect(grant.TenantId, input.EnableSecret);

        // One retriable unit: each attempt reloads the profile and applies the input to it.
        await db.ExecuteInTransactionAsync(async ct =>
        {
            var profile = await db.CredentialProfiles.SingleAsync(c => c.Id == id, ct);
            var oldName = profile.Name;
            var oldUsername = profile.Username;
            static bool Apply(string? value, string? protectedValue, Func<string?> get, Action<string?> set)
            {
                if (value is null) return false;
                var had = get() is not null;
                set(protectedValue);
                return value.Length > 0 || had;
            }
            var passwordChanged = Apply(input.Password, protectedPassword, () => profile.ProtectedPassword, v => profile.ProtectedPassword = v);
            var keyChanged = Apply(input.PrivateKey, protectedPrivateKey, () => profile.ProtectedPrivateKey, v => profile.ProtectedPrivateKey = v);
            var passphraseChanged = Apply(input.Passphrase, protectedPassphrase, () => profile.ProtectedPassphrase, v => profile.ProtectedPassphrase = v);
            var enableChanged = Apply(input.EnableSecret, protectedEnableSecret, () => profile.ProtectedEnableSecret, v => profile.ProtectedEnableSecret = v);
            profile.Name = name;
            profile.Username = username;
            if (!passwordChanged && !keyChanged && !passphraseChanged && !enableChanged && oldName == name && oldUsername == username)
                return;
            profile.UpdatedAtUtc = clock.GetUtcNow().UtcDateTime;

            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, [new AuditRecord
            {
                TenantId = grant.TenantId,
                Action = AuditActions.CredentialUpdated,
                ResourceType = "credential_profile",
                ResourceId = id.ToString(CultureInfo.InvariantCulture),
                // Which secrets changed and which are now set: booleans only, never a value.
                Details = new
                {
                    profile.Name,
                    profile.Username,
                    nameBefore = oldName == name ? null : oldName,
                    usernameBefore = oldUsername == username ? null : oldUsername,
                    changed = new { password = passwordChanged, privateKey = keyChanged, passphrase = passphraseChanged, enableSecret = enableChanged },
                    set = new { password = profile.ProtectedPassword != null, privateKey = profile.ProtectedPrivateKey != null, passphrase = profile.ProtectedPassphrase != null, enableSecret = profile.ProtectedEnableSecret != null },
                },
            }], ct);
        }, ct);
    }

    /// <summary>Deletes a profile no device uses; refused (a validation error naming the devices) while any does.</summary>
    public async Task DeleteAsync(int id, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageDevices, "manage credentials", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        // The denial of a missing id is audited in its own transaction: checked before this one opens.
        var current = await db.CredentialProfiles.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct)
            ?? throw await access.NotFoundAsync("credential_profile", id, ct);
        var users = await db.DeviceCredentialProfiles.Where(x => x.CredentialProfileId == id)
            .Join(db.Devices, x => x.DeviceId, d => d.Id, (x, d) => d.Name)
            .OrderBy(n => n).ToListAsync(ct);
        if (users.Count > 0)
        {
            var names = string.Join(", ", users.Take(5)) + (users.Count > 5 ? $" and {users.Count - 5} more" : "");
            throw ValidationException.For("Profile", $"'{current.Name}' is used by {users.Count} device(s) ({names}); remove it from them first.");
        }

        await db.ExecuteInTransactionAsync(async ct =>
        {
            var profile = await db.CredentialProfiles.SingleAsync(c => c.Id == id, ct);
            // A device that last logged in with it only keeps a hint; clear it.
            foreach (var device in await db.Devices.Where(d => d.LastWorkingCredentialProfileId == id).ToListAsync(ct))
                device.LastWorkingCredentialProfileId = null;
            db.CredentialProfiles.Remove(profile);
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, [new AuditRecord
            {
                TenantId = grant.TenantId,
                Action = AuditActions.CredentialDeleted,
                ResourceType = "credential_profile",
                ResourceId = id.ToString(CultureInfo.InvariantCulture),
                Details = new { profile.Name, profile.Username },
            }], ct);
        }, ct);
    }

    public async Task<int> CreateAsync(CredentialProfileInput input, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageDevices, "manage credentials", ct);
        var name = input.Name?.Trim() ?? "";
        var username = input.Username?.Trim() ?? "";
        var errors = new Dictionary<string, string[]>();
        if (name.Length is 0 or > 100) errors[nameof(input.Name)] = ["Name is required (at most 100 characters)."];
        if (username.Length is 0 or > 100) errors[nameof(input.Username)] = ["Username is required (at most 100 characters)."];
        if (string.IsNullOrEmpty(input.Password) && string.IsNullOrEmpty(input.PrivateKey))
            errors[nameof(input.Password)] = ["Give a password or a private key."];
        await using var db = await dbFactory.CreateAsync(ct);
        if (name.Length > 0 && await db.CredentialProfiles.AnyAsync(c => c.Name == name, ct))
            errors[nameof(input.Name)] = [$"A credential profile named '{name}' already exists."];
        if (errors.Count > 0) throw new ValidationException(errors);

        // Encrypted before the transaction: the first use of the key ring may write a new key through another
        // context, which must not wait on this transaction's write lock (SQLite).
        var protectedPassword = Protect(grant.TenantId, input.Password);
        var protectedPrivateKey = Protect(grant.TenantId, input.PrivateKey);
        var protectedPassphrase = Protect(grant.TenantId, input.Passphrase);
        var protectedEnableSecret = Protect(grant.TenantId, input.EnableSecret);
        return await db.ExecuteInTransactionAsync(async ct =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var profile = new CredentialProfile
            {
                TenantId = grant.TenantId,
                Name = name,
                Username = username,
                ProtectedPassword = protectedPassword,
                ProtectedPrivateKey = protectedPrivateKey,
                ProtectedPassphrase = protectedPassphrase,
                ProtectedEnableSecret = protectedEnableSecret,
                CreatedAtUtc = now,
                UpdatedAtUtc = now,
            };
            db.CredentialProfiles.Add(profile);
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, [new AuditRecord
            {
                TenantId = grant.TenantId,
                Action = AuditActions.CredentialCreated,
                ResourceType = "credential_profile",
                ResourceId = profile.Id.ToString(CultureInfo.InvariantCulture),
                // Which secrets are set, never their values.
                Details = new { profile.Name, profile.Username, password = profile.ProtectedPassword != null, privateKey = profile.ProtectedPrivateKey != null, passphrase = profile.ProtectedPassphrase != null, enableSecret = profile.ProtectedEnableSecret != null },
            }], ct);
            return profile.Id;
        }, ct);
    }

    private string? Protect(int tenantId, string? value) => string.IsNullOrEmpty(value) ? null : protector.Protect(tenantId, value);
}
