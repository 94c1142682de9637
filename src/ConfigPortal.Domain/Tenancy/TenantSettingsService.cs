using System.Globalization;
using ConfigPortal.Domain.Audit;
using ConfigPortal.Domain.Common;
using ConfigPortal.Domain.Configs;
using ConfigPortal.Domain.Data;
using Microsoft.EntityFrameworkCore;

namespace ConfigPortal.Domain.Tenancy;

public sealed record TenantSettingsView(int TenantId, string Name, string Slug, bool SecretMaskingEnabled, int? AuditRetentionDays = null, bool AuditRetentionAvailable = true);

public sealed class TenantSettingsInput
{
    public bool SecretMaskingEnabled { get; set; } = true;

    /// <summary>Keep audit entries this many days; null (default) keeps the whole trail.</summary>
    public int? AuditRetentionDays { get; set; }
}

/// <summary>The tenant-wide extra filters, one regex per line each.</summary>
public sealed class TenantFilterInput
{
    public string? CustomDeleteFilters { get; set; }
    public string? CustomIgnoreFilters { get; set; }
}

/// <summary>
/// The active tenant's own settings (a tenant admin's: secret masking; the custom delete/ignore filters, for those who
/// manage devices). The tenant is always the caller's, never an id from the UI.
/// </summary>
public sealed class TenantSettingsService(IPortalDbFactory dbFactory, TenantAccess access, IAuditService audit)
{
    public async Task<TenantSettingsView> GetAsync(CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageSettings, "manage tenant settings", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var t = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == grant.TenantId, ct);
        var ledger = await AuditStorage.IsAppendOnlyLedgerAsync(db, ct);
        return new TenantSettingsView(t.Id, t.Name, t.Slug, t.SecretMaskingEnabled, t.AuditRetentionDays, !ledger);
    }

    /// <summary>
    /// Saves the settings; one <c>tenant_settings_changed</c> entry with before/after of what changed. Audit retention
    /// must be between <see cref="AuditRetentionService.MinDays"/> and <see cref="AuditRetentionService.MaxDays"/> days,
    /// and cannot be turned on where the audit table is an append-only ledger table.
    /// </summary>
    public async Task<bool> UpdateAsync(TenantSettingsInput input, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageSettings, "manage tenant settings", ct);
        if (input.AuditRetentionDays is { } days && (days < AuditRetentionService.MinDays || days > AuditRetentionService.MaxDays))
            throw ValidationException.For(nameof(input.AuditRetentionDays),
                string.Create(CultureInfo.InvariantCulture, $"Keep audit entries between {AuditRetentionService.MinDays} and {AuditRetentionService.MaxDays:N0} days, or leave it empty to keep everything."));
        await using var db = await dbFactory.CreateAsync(ct);
        if (input.AuditRetentionDays is not null && await AuditStorage.IsAppendOnlyLedgerAsync(db, ct))
            throw ValidationException.For(nameof(input.AuditRetentionDays), AuditStorage.LedgerRetentionMessage);
        return await db.ExecuteInTransactionAsync(async ct =>
        {
            var tenant = await db.Tenants.SingleAsync(t => t.Id == grant.TenantId, ct);
            var changes = new Dictionary<string, object>();
            if (tenant.SecretMaskingEnabled != input.SecretMaskingEnabled)
            {
                changes["secretMaskingEnabled"] = new { before = tenant.SecretMaskingEnabled, after = input.SecretMaskingEnabled };
                tenant.SecretMaskingEnabled = input.SecretMaskingEnabled;
            }
            if (tenant.AuditRetentionDays != input.AuditRetentionDays)
            {
                changes["auditRetentionDays"] = new { before = tenant.AuditRetentionDays, after = input.AuditRetentionDays };
                tenant.AuditRetentionDays = input.AuditRetentionDays;
            }
            if (changes.Count == 0) return false;

            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, [new AuditRecord
            {
                TenantId = grant.TenantId,
                Action = AuditActions.TenantSettingsChanged,
                ResourceType = "tenant",
                ResourceId = grant.TenantId.ToString(CultureInfo.InvariantCulture),
                Details = new { changes },
            }], ct);
            return true;
        }, ct);
    }

    public async Task<TenantFilterInput> GetFiltersAsync(CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageDevices, "manage tenant filters", ct);
        await using var db = await dbFactory.CreateAsync(ct);
        var t = await db.Tenants.AsNoTracking().SingleAsync(x => x.Id == grant.TenantId, ct);
        return new TenantFilterInput { CustomDeleteFilters = t.CustomDeleteFilters, CustomIgnoreFilters = t.CustomIgnoreFilters };
    }

    /// <summary>Validates (a bad regex is an error on its field) and saves; audited with the patterns before and after.</summary>
    public async Task UpdateFiltersAsync(TenantFilterInput input, CancellationToken ct = default)
    {
        var grant = await access.DemandAsync(Permission.ManageDevices, "manage tenant filters", ct);
        var (delete, deleteErrors) = CustomFilterSet.Validate(input.CustomDeleteFilters);
        var (ignore, ignoreErrors) = CustomFilterSet.Validate(input.CustomIgnoreFilters);
        var errors = new Dictionary<string, string[]>();
        if (deleteErrors.Count > 0) errors[nameof(input.CustomDeleteFilters)] = [.. deleteErrors];
        if (ignoreErrors.Count > 0) errors[nameof(input.CustomIgnoreFilters)] = [.. ignoreErrors];
        if (errors.Count > 0) throw new ValidationException(errors);

        await using var db = await dbFactory.CreateAsync(ct);
        await db.ExecuteInTransactionAsync(async ct =>
        {
            var tenant = await db.Tenants.SingleAsync(x => x.Id == grant.TenantId, ct);
            if (tenant.CustomDeleteFilters == delete && tenant.CustomIgnoreFilters == ignore) return;
            var before = new { delete = CustomFilterSet.Lines(tenant.CustomDeleteFilters), ignore = CustomFilterSet.Lines(tenant.CustomIgnoreFilters) };
            tenant.CustomDeleteFilters = delete;
            tenant.CustomIgnoreFilters = ignore;
            await db.SaveChangesAsync(ct);
            await audit.AppendAsync(db, [new AuditRecord
            {
                TenantId = grant.TenantId,
                Action = AuditActions.TenantFiltersUpdated,
                ResourceType = "tenant",
                ResourceId = grant.TenantId.ToString(CultureInfo.InvariantCulture),
                Details = new { before, after = new { delete = CustomFilterSet.Lines(delete), ignore = CustomFilterSet.Lines(ignore) } },
            }], ct);
        }, ct);
    }
}
