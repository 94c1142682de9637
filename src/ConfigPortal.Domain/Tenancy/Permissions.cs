namespace ConfigPortal.Domain.Tenancy;

/// <summary>What a caller may do in its active tenant. The role matrix lives here and in docs/roles.md.</summary>
[Flags]
public enum Permission
{
    None = 0,
    ViewDevices = 1,
    ViewConfigs = 2,
    TriggerBackup = 4,
    ManageDevices = 8,
    ViewAudit = 16,
    ManageApiTokens = 32,
    ManageUsers = 64,
    ManageSettings = 128,
}

public static class RolePermissions
{
    public static Permission For(TenantRole role) => role switch
    {
        TenantRole.Auditor => Permission.ViewDevices | Permission.ViewConfigs | Permission.ViewAudit,
        TenantRole.Operator => Permission.ViewDevices | Permission.ViewConfigs | Permission.TriggerBackup,
        TenantRole.TenantAdmin => Permission.ViewDevices | Permission.ViewConfigs | Permission.TriggerBackup
            | Permission.ManageDevices | Permission.ViewAudit | Permission.ManageApiTokens | Permission.ManageUsers
            | Permission.ManageSettings,
        _ => Permission.None,
    };

    /// <summary>API token scopes map to permissions without a membership.</summary>
    public static Permission ForScopes(ApiTokens.ApiTokenScopes scopes)
    {
        var p = Permission.None;
        if (scopes.HasFlag(ApiTokens.ApiTokenScopes.Read))
            p |= Permission.ViewDevices | Permission.ViewConfigs | Permission.ViewAudit;
        if (scopes.HasFlag(ApiTokens.ApiTokenScopes.Backup))
            p |= Permission.ViewDevices | Permission.TriggerBackup;
        if (scopes.HasFlag(ApiTokens.ApiTokenScopes.Admin))
            p |= For(TenantRole.TenantAdmin);
        return p;
    }
}
