using System.Globalization;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Data;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Tenancy;

public sealed record TenantSettingsView(int TenantId, string Name, string Slug, bool SecretMaskingEnabled);

public sealed class TenantSettingsInput
{
    public bool SecretMaskingEnabled { get; set; } = true;
}

/// <summary>The active tenant's own settings (a tenant admin's). The tenant is always the caller's, never an id from the UI.</summary>
public sealed class TenantSettingsService(IPortalDbFactory dbFactory, TenantAccess access, IAuditService audit)
{
    public async Task<TenantSettingsView> GetAsync(CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageSettings, "manage tenant settings", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var t = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == grant.TenantId, ct);
        return new TenantSettingsView(t.Id, t.Name, t.Slug, t.SecretMaskingEnabled);
    }

    /// <summary>Saves the settings; one <c>tenant_settings_changed</c> entry with before/after of what changed.</summary>
    public async Task<bool> UpdateAsync(TenantSettingsInput input, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageSettings, "manage tenant settings", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var current = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == grant.TenantId, ct);
        var changes = new Dictionary<string, object>();
        if (current.SecretMaskingEnabled != input.SecretMaskingEnabled)
            changes["secretMaskingEnabled"] = new { before = current.SecretMaskingEnabled, after = input.SecretMaskingEnabled };
        if (changes.Count == 0) return false;

        await db.ExecuteInTransactionAsync(async ct =>
        {
            var tenant = await db.Tenants.SingleAsync(t => t.Id == grant.TenantId, ct);
            tenant.SecretMaskingEnabled = input.SecretMaskingEnabled;
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, [new AuditRecord
            {
                TenantId = grant.TenantId,
                Action = AuditActions.TenantSettingsChanged,
                ResourceType = "tenant",
                ResourceId = grant.TenantId.ToString(CultureInfo.InvariantCulture),
                Details = new { changes },
            }], ct);
        }, ct);
        return true;
    }
}
