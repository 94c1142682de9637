namespace ConfigPortal.Domain.Audit;

/// <summary>
/// Every audit action string, in one place. Auditors filter and export by these; never rename one.
/// Documented in docs/audit-events.md.
/// </summary>
public static class AuditActions
{
    // Backup pipeline (the design's events).
    public const string ConfigBackupManualTrigger = "config_backup_manual_trigger";
    public const string ConfigSnapshotCreated = "config_snapshot_created";
    public const string ConfigSnapshotSkippedDuplicate = "config_snapshot_skipped_duplicate";
    public const string ConfigDiffGenerated = "config_diff_generated";
    public const string ConfigBackupFailed = "config_backup_failed";

    // Sign-in and identity.
    public const string UserSignedIn = "user_signed_in";
    public const string UserSignInFailed = "user_sign_in_failed";
    public const string UserLockedOut = "user_locked_out";
    public const string UserSignedOut = "user_signed_out";

    // Devices.
    public const string DeviceCreated = "device_created";
    public const string DeviceUpdated = "device_updated";
    public const string DeviceDisabled = "device_disabled";
    public const string DeviceEnabled = "device_enabled";
    public const string DeviceHostKeyAccepted = "device_host_key_accepted";

    // Credentials.
    public const string CredentialCreated = "credential_created";
    public const string CredentialUpdated = "credential_updated";
    public const string CredentialDeleted = "credential_deleted";

    // Tenant settings.
    public const string TenantFiltersUpdated = "tenant_filters_updated";

    // API tokens.
    public const string ApiTokenCreated = "api_token_created";
    public const string ApiTokenRevoked = "api_token_revoked";
    public const string ApiTokenUsed = "api_token_used";

    // Reads worth knowing about.
    public const string SnapshotDownloaded = "snapshot_downloaded";
    public const string DiffDownloaded = "diff_downloaded";

    // Audit itself.
    public const string AuditIntegrityVerified = "audit_integrity_verified";

    // Denials: another tenant's id, an id that does not exist, a role that may not.
    public const string AuthorizationDenied = "authorization_denied";

    public static IReadOnlyList<string> All { get; } = typeof(AuditActions)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .Order(StringComparer.Ordinal)
        .ToArray();
}
