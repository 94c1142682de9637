using System.Globalization;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Data;
using ConfigPortal.Domain.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Credentials;

/// <summary>What a page may see of a credential profile: never a secret, only whether one is set.</summary>
public sealed record CredentialProfileView(int Id, string Name, string Username, bool HasPassword, bool HasPrivateKey, bool HasEnableSecret);

public sealed class CredentialProfileInput
{
    public string Name { get; set; } = "";
    public string Username { get; set; } = "";
    /// <summary>Null keeps the stored value; empty clears it.</summary>
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
            .Select(c => new CredentialProfileView(c.Id, c.Name, c.Username, c.ProtectedPassword != null, c.ProtectedPrivateKey != null, c.ProtectedEnableSecret != null))
            .ToListAsync(ct);
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
                Details = new { profile.Name, profile.Username, password = profile.ProtectedPassword != null, privateKey = profile.ProtectedPrivateKey != null, enableSecret = profile.ProtectedEnableSecret != null },
            }], ct);
            return profile.Id;
        }, ct);
    }

    private string? Protect(int tenantId, string? value) => string.IsNullOrEmpty(value) ? null : protector.Protect(tenantId, value);
}
