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
    /// <summary>One bulk Backup now (a selection or a group); each device also gets its config_backup_manual_trigger.</summary>
    public const string ConfigBackupBulkTrigger = "config_backup_bulk_trigger";

    // Sign-in and identity.
    public const string UserSignedIn = "user_signed_in";
    public const string UserSignInFailed = "user_sign_in_failed";
    public const string UserLockedOut = "user_locked_out";
    public const string UserSignedOut = "user_signed_out";
    public const string TwoFactorSignInFailed = "two_factor_sign_in_failed";
    public const string PasswordChanged = "password_changed";
    public const string PasswordChangeFailed = "password_change_failed";
    public const string TwoFactorEnabled = "two_factor_enabled";
    public const string TwoFactorDisabled = "two_factor_disabled";
    public const string RecoveryCodesGenerated = "recovery_codes_generated";

    // Devices.
    public const string DeviceCreated = "device_created";
    public const string DeviceUpdated = "device_updated";
    public const string DeviceDisabled = "device_disabled";
    public const string DeviceEnabled = "device_enabled";
    public const string DeviceHostKeyAccepted = "device_host_key_accepted";
    public const string DevicesImported = "devices_imported";
    public const string DevicesExported = "devices_exported";

    // Tenant administration (users, roles, settings).
    public const string UserCreated = "user_created";
    public const string MemberAdded = "member_added";
    public const string RoleGranted = "role_granted";
    public const string RoleRevoked = "role_revoked";
    public const string MemberRemoved = "member_removed";
    public const string UserDisabled = "user_disabled";
    public const string UserEnabled = "user_enabled";
    public const string TenantSettingsChanged = "tenant_settings_changed";

    // Platform administration (platform chain, tenant id 0, and the tenant's own chain).
    public const string TenantCreated = "tenant_created";
    public const string TenantRenamed = "tenant_renamed";
    public const string TenantSuspended = "tenant_suspended";
    public const string TenantResumed = "tenant_resumed";
    public const string PlatformMembershipGranted = "platform_membership_granted";

    // Credentials.
    public const string CredentialCreated = "credential_created";
    public const string CredentialUpdated = "credential_updated";
    public const string CredentialDeleted = "credential_deleted";

    // Tenant settings.
    public const string TenantFiltersUpdated = "tenant_filters_updated";

    // Backup schedules (tenant default, group, device).
    public const string ScheduleCreated = "schedule_created";
    public const string ScheduleChanged = "schedule_changed";
    public const string ScheduleRemoved = "schedule_removed";

    // API tokens.
    public const string ApiTokenCreated = "api_token_created";
    public const string ApiTokenRevoked = "api_token_revoked";
    public const string ApiTokenUsed = "api_token_used";

    // Reads worth knowing about.
    public const string SnapshotDownloaded = "snapshot_downloaded";
    public const string DiffDownloaded = "diff_downloaded";

    // Audit itself.
    public const string AuditIntegrityVerified = "audit_integrity_verified";
    public const string AuditExported = "audit_exported";
    /// <summary>Retention removed the oldest range of the chain; the checkpoint carries the range and its last hash.</summary>
    public const string AuditRetentionApplied = "audit_retention_applied";

    // Notifications (channels on Settings → Notifications; deliveries by the dispatcher).
    public const string NotificationChannelCreated = "notification_channel_created";
    public const string NotificationChannelUpdated = "notification_channel_updated";
    public const string NotificationChannelDeleted = "notification_channel_deleted";
    public const string NotificationSent = "notification_sent";
    public const string NotificationFailed = "notification_failed";

    // Denials: another tenant's id, an id that does not exist, a role that may not.
    public const string AuthorizationDenied = "authorization_denied";

    public static IReadOnlyList<string> All { get; } = typeof(AuditActions)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .Order(StringComparer.Ordinal)
        .ToArray();
}
