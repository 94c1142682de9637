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

        var now = clock.GetUtcNow().UtcDateTime;
        var profile = new CredentialProfile
        {
            TenantId = grant.TenantId,
            Name = name,
            Username = username,
            ProtectedPassword = Protect(grant.TenantId, input.Password),
            ProtectedPrivateKey = Protect(grant.TenantId, input.PrivateKey),
            ProtectedPassphrase = Protect(grant.TenantId, input.Passphrase),
            ProtectedEnableSecret = Protect(grant.TenantId, input.EnableSecret),
            CreatedAtUtc = now,
            UpdatedAtUtc = now,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
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
        await tx.CommitAsync(ct);
        return profile.Id;
    }

    private string? Protect(int tenantId, string? value) => string.IsNullOrEmpty(value) ? null : protector.Protect(tenantId, value);
}
