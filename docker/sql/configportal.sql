IF OBJECT_ID(N'[__EFMigrationsHistory]') IS NULL
BEGIN
    CREATE TABLE [__EFMigrationsHistory] (
        [MigrationId] nvarchar(150) NOT NULL,
        [ProductVersion] nvarchar(32) NOT NULL,
        CONSTRAINT [PK___EFMigrationsHistory] PRIMARY KEY ([MigrationId])
    );
END;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [AspNetRoles] (
        [Id] nvarchar(450) NOT NULL,
        [Name] nvarchar(256) NULL,
        [NormalizedName] nvarchar(256) NULL,
        [ConcurrencyStamp] nvarchar(max) NULL,
        CONSTRAINT [PK_AspNetRoles] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [AspNetUsers] (
        [Id] nvarchar(450) NOT NULL,
        [DisplayName] nvarchar(100) NULL,
        [ActiveTenantId] int NULL,
        [IsPlatformAdmin] bit NOT NULL,
        [IsDisabled] bit NOT NULL,
        [MustChangePassword] bit NOT NULL,
        [CreatedAtUtc] datetime2 NOT NULL,
        [UserName] nvarchar(256) NULL,
        [NormalizedUserName] nvarchar(256) NULL,
        [Email] nvarchar(256) NULL,
        [NormalizedEmail] nvarchar(256) NULL,
        [EmailConfirmed] bit NOT NULL,
        [PasswordHash] nvarchar(max) NULL,
        [SecurityStamp] nvarchar(max) NULL,
        [ConcurrencyStamp] nvarchar(max) NULL,
        [PhoneNumber] nvarchar(256) NULL,
        [PhoneNumberConfirmed] bit NOT NULL,
        [TwoFactorEnabled] bit NOT NULL,
        [LockoutEnd] datetimeoffset NULL,
        [LockoutEnabled] bit NOT NULL,
        [AccessFailedCount] int NOT NULL,
        CONSTRAINT [PK_AspNetUsers] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [AuditChainHeads] (
        [TenantId] int NOT NULL,
        [LastSequence] bigint NOT NULL,
        [LastHash] varchar(64) NOT NULL,
        [UpdatedAtUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_AuditChainHeads] PRIMARY KEY ([TenantId])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [AuditEntries] (
        [Id] bigint NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [Sequence] bigint NOT NULL,
        [TimestampUtc] datetime2 NOT NULL,
        [ActorKind] int NOT NULL,
        [ActorId] nvarchar(450) NULL,
        [ActorName] nvarchar(256) NOT NULL,
        [Action] varchar(64) NOT NULL,
        [ResourceType] nvarchar(64) NULL,
        [ResourceId] nvarchar(128) NULL,
        [DeviceId] int NULL,
        [DeviceName] nvarchar(100) NULL,
        [ClientIp] nvarchar(64) NULL,
        [UserAgent] nvarchar(256) NULL,
        [CorrelationId] nvarchar(64) NULL,
        [Outcome] int NOT NULL,
        [DetailsJson] nvarchar(max) NOT NULL,
        [PreviousHash] varchar(64) NOT NULL,
        [Hash] varchar(64) NOT NULL,
        CONSTRAINT [PK_AuditEntries] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [DataProtectionKeys] (
        [Id] int NOT NULL IDENTITY,
        [FriendlyName] nvarchar(max) NULL,
        [Xml] nvarchar(max) NULL,
        CONSTRAINT [PK_DataProtectionKeys] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [Tenants] (
        [Id] int NOT NULL IDENTITY,
        [Name] nvarchar(100) NOT NULL,
        [Slug] nvarchar(64) NOT NULL,
        [IsSuspended] bit NOT NULL,
        [SecretMaskingEnabled] bit NOT NULL,
        [CreatedAt] datetime2 NOT NULL,
        CONSTRAINT [PK_Tenants] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [AspNetRoleClaims] (
        [Id] int NOT NULL IDENTITY,
        [RoleId] nvarchar(450) NOT NULL,
        [ClaimType] nvarchar(max) NULL,
        [ClaimValue] nvarchar(max) NULL,
        CONSTRAINT [PK_AspNetRoleClaims] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_AspNetRoleClaims_AspNetRoles_RoleId] FOREIGN KEY ([RoleId]) REFERENCES [AspNetRoles] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [AspNetUserClaims] (
        [Id] int NOT NULL IDENTITY,
        [UserId] nvarchar(450) NOT NULL,
        [ClaimType] nvarchar(max) NULL,
        [ClaimValue] nvarchar(max) NULL,
        CONSTRAINT [PK_AspNetUserClaims] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_AspNetUserClaims_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [AspNetUserLogins] (
        [LoginProvider] nvarchar(128) NOT NULL,
        [ProviderKey] nvarchar(128) NOT NULL,
        [ProviderDisplayName] nvarchar(max) NULL,
        [UserId] nvarchar(450) NOT NULL,
        CONSTRAINT [PK_AspNetUserLogins] PRIMARY KEY ([LoginProvider], [ProviderKey]),
        CONSTRAINT [FK_AspNetUserLogins_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [AspNetUserPasskeys] (
        [CredentialId] varbinary(1024) NOT NULL,
        [UserId] nvarchar(450) NOT NULL,
        [Data] nvarchar(max) NOT NULL,
        CONSTRAINT [PK_AspNetUserPasskeys] PRIMARY KEY ([CredentialId]),
        CONSTRAINT [FK_AspNetUserPasskeys_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [AspNetUserRoles] (
        [UserId] nvarchar(450) NOT NULL,
        [RoleId] nvarchar(450) NOT NULL,
        CONSTRAINT [PK_AspNetUserRoles] PRIMARY KEY ([UserId], [RoleId]),
        CONSTRAINT [FK_AspNetUserRoles_AspNetRoles_RoleId] FOREIGN KEY ([RoleId]) REFERENCES [AspNetRoles] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_AspNetUserRoles_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [AspNetUserTokens] (
        [UserId] nvarchar(450) NOT NULL,
        [LoginProvider] nvarchar(128) NOT NULL,
        [Name] nvarchar(128) NOT NULL,
        [Value] nvarchar(max) NULL,
        CONSTRAINT [PK_AspNetUserTokens] PRIMARY KEY ([UserId], [LoginProvider], [Name]),
        CONSTRAINT [FK_AspNetUserTokens_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [ApiTokens] (
        [Id] int NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [Name] nvarchar(100) NOT NULL,
        [Prefix] nvarchar(16) NOT NULL,
        [TokenHash] varchar(64) NOT NULL,
        [Scopes] int NOT NULL,
        [CreatedByUserId] nvarchar(450) NULL,
        [CreatedByName] nvarchar(256) NOT NULL,
        [CreatedAtUtc] datetime2 NOT NULL,
        [ExpiresAtUtc] datetime2 NULL,
        [LastUsedAtUtc] datetime2 NULL,
        [RevokedAtUtc] datetime2 NULL,
        CONSTRAINT [PK_ApiTokens] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_ApiTokens_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [CredentialProfiles] (
        [Id] int NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [Name] nvarchar(100) NOT NULL,
        [Username] nvarchar(100) NOT NULL,
        [ProtectedPassword] nvarchar(max) NULL,
        [ProtectedPrivateKey] nvarchar(max) NULL,
        [ProtectedPassphrase] nvarchar(max) NULL,
        [ProtectedEnableSecret] nvarchar(max) NULL,
        [CreatedAtUtc] datetime2 NOT NULL,
        [UpdatedAtUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_CredentialProfiles] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_CredentialProfiles_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [TenantMemberships] (
        [Id] int NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [UserId] nvarchar(450) NOT NULL,
        [Role] int NOT NULL,
        [CreatedAt] datetime2 NOT NULL,
        CONSTRAINT [PK_TenantMemberships] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_TenantMemberships_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_TenantMemberships_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [Devices] (
        [Id] int NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [Name] nvarchar(100) NOT NULL,
        [Address] nvarchar(253) NOT NULL,
        [Port] int NOT NULL,
        [Vendor] nvarchar(40) NOT NULL,
        [Driver] int NOT NULL,
        [SimulatorBehavior] int NULL,
        [CredentialProfileId] int NULL,
        [Enabled] bit NOT NULL,
        [HostKeyFingerprint] nvarchar(128) NULL,
        [LastRunAtUtc] datetime2 NULL,
        [LastRunOutcome] int NULL,
        [LastRunMessage] nvarchar(500) NULL,
        [LastSuccessAtUtc] datetime2 NULL,
        [LatestSnapshotId] bigint NULL,
        [SnapshotCount] int NOT NULL,
        [RunCount] int NOT NULL,
        [CreatedAtUtc] datetime2 NOT NULL,
        [UpdatedAtUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_Devices] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Devices_CredentialProfiles_CredentialProfileId] FOREIGN KEY ([CredentialProfileId]) REFERENCES [CredentialProfiles] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_Devices_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [BackupRuns] (
        [Id] bigint NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [DeviceId] int NOT NULL,
        [Trigger] int NOT NULL,
        [RequestedByUserId] nvarchar(450) NULL,
        [RequestedByName] nvarchar(256) NOT NULL,
        [ClientIp] nvarchar(64) NULL,
        [Status] int NOT NULL,
        [Outcome] int NULL,
        [FailureKind] int NULL,
        [Message] nvarchar(500) NULL,
        [QueuedAtUtc] datetime2 NOT NULL,
        [StartedAtUtc] datetime2 NULL,
        [FinishedAtUtc] datetime2 NULL,
        [SnapshotId] bigint NULL,
        [CorrelationId] nvarchar(64) NOT NULL,
        [ActiveDeviceId] int NULL,
        CONSTRAINT [PK_BackupRuns] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_BackupRuns_Devices_DeviceId] FOREIGN KEY ([DeviceId]) REFERENCES [Devices] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [Snapshots] (
        [Id] bigint NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [DeviceId] int NOT NULL,
        [CreatedByRunId] bigint NOT NULL,
        [PreviousSnapshotId] bigint NULL,
        [FirstSeenAtUtc] datetime2 NOT NULL,
        [LastSeenAtUtc] datetime2 NOT NULL,
        [SeenCount] int NOT NULL,
        [CompareHash] varchar(64) NOT NULL,
        [SizeBytes] int NOT NULL,
        [LineCount] int NOT NULL,
        [AddedLines] int NOT NULL,
        [RemovedLines] int NOT NULL,
        [Trigger] nvarchar(20) NOT NULL,
        [TriggeredBy] nvarchar(256) NULL,
        CONSTRAINT [PK_Snapshots] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Snapshots_Devices_DeviceId] FOREIGN KEY ([DeviceId]) REFERENCES [Devices] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [SnapshotContents] (
        [SnapshotId] bigint NOT NULL,
        [TenantId] int NOT NULL,
        [Encoding] int NOT NULL,
        [Data] varbinary(max) NOT NULL,
        CONSTRAINT [PK_SnapshotContents] PRIMARY KEY ([SnapshotId]),
        CONSTRAINT [FK_SnapshotContents_Snapshots_SnapshotId] FOREIGN KEY ([SnapshotId]) REFERENCES [Snapshots] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE TABLE [SnapshotDiffs] (
        [Id] bigint NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [DeviceId] int NOT NULL,
        [FromSnapshotId] bigint NOT NULL,
        [ToSnapshotId] bigint NOT NULL,
        [AddedLines] int NOT NULL,
        [RemovedLines] int NOT NULL,
        [UnifiedDiff] nvarchar(max) NOT NULL,
        [CreatedAtUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_SnapshotDiffs] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_SnapshotDiffs_Snapshots_FromSnapshotId] FOREIGN KEY ([FromSnapshotId]) REFERENCES [Snapshots] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_SnapshotDiffs_Snapshots_ToSnapshotId] FOREIGN KEY ([ToSnapshotId]) REFERENCES [Snapshots] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_ApiTokens_TenantId] ON [ApiTokens] ([TenantId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_ApiTokens_TokenHash] ON [ApiTokens] ([TokenHash]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_AspNetRoleClaims_RoleId] ON [AspNetRoleClaims] ([RoleId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [RoleNameIndex] ON [AspNetRoles] ([NormalizedName]) WHERE [NormalizedName] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_AspNetUserClaims_UserId] ON [AspNetUserClaims] ([UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_AspNetUserLogins_UserId] ON [AspNetUserLogins] ([UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_AspNetUserPasskeys_UserId] ON [AspNetUserPasskeys] ([UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_AspNetUserRoles_RoleId] ON [AspNetUserRoles] ([RoleId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [EmailIndex] ON [AspNetUsers] ([NormalizedEmail]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [UserNameIndex] ON [AspNetUsers] ([NormalizedUserName]) WHERE [NormalizedUserName] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_AuditEntries_TenantId_Action_Sequence] ON [AuditEntries] ([TenantId], [Action], [Sequence]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_AuditEntries_TenantId_ActorName_Sequence] ON [AuditEntries] ([TenantId], [ActorName], [Sequence]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_AuditEntries_TenantId_CorrelationId] ON [AuditEntries] ([TenantId], [CorrelationId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_AuditEntries_TenantId_DeviceId_Sequence] ON [AuditEntries] ([TenantId], [DeviceId], [Sequence]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_AuditEntries_TenantId_Sequence] ON [AuditEntries] ([TenantId], [Sequence]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_AuditEntries_TenantId_TimestampUtc] ON [AuditEntries] ([TenantId], [TimestampUtc]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [IX_BackupRuns_ActiveDeviceId] ON [BackupRuns] ([ActiveDeviceId]) WHERE [ActiveDeviceId] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_BackupRuns_DeviceId] ON [BackupRuns] ([DeviceId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_BackupRuns_Status_QueuedAtUtc] ON [BackupRuns] ([Status], [QueuedAtUtc]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_BackupRuns_TenantId_DeviceId_Id] ON [BackupRuns] ([TenantId], [DeviceId], [Id]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_CredentialProfiles_TenantId_Name] ON [CredentialProfiles] ([TenantId], [Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_Devices_CredentialProfileId] ON [Devices] ([CredentialProfileId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_Devices_TenantId_LastRunAtUtc] ON [Devices] ([TenantId], [LastRunAtUtc]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Devices_TenantId_Name] ON [Devices] ([TenantId], [Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_SnapshotDiffs_FromSnapshotId] ON [SnapshotDiffs] ([FromSnapshotId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_SnapshotDiffs_TenantId_DeviceId_ToSnapshotId] ON [SnapshotDiffs] ([TenantId], [DeviceId], [ToSnapshotId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_SnapshotDiffs_ToSnapshotId] ON [SnapshotDiffs] ([ToSnapshotId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_Snapshots_DeviceId] ON [Snapshots] ([DeviceId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_Snapshots_TenantId_DeviceId_Id] ON [Snapshots] ([TenantId], [DeviceId], [Id]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_TenantMemberships_TenantId_UserId] ON [TenantMemberships] ([TenantId], [UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE INDEX [IX_TenantMemberships_UserId] ON [TenantMemberships] ([UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Tenants_Name] ON [Tenants] ([Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Tenants_Slug] ON [Tenants] ([Slug]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128110837_Initial'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261128110837_Initial', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114415_CredentialFallback'
)
BEGIN
    ALTER TABLE [Devices] DROP CONSTRAINT [FK_Devices_CredentialProfiles_CredentialProfileId];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114415_CredentialFallback'
)
BEGIN
    DROP INDEX [IX_Devices_CredentialProfileId] ON [Devices];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114415_CredentialFallback'
)
BEGIN
    EXEC sp_rename N'[Devices].[CredentialProfileId]', N'LastWorkingCredentialProfileId', 'COLUMN';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114415_CredentialFallback'
)
BEGIN
    ALTER TABLE [Tenants] ADD [CustomDeleteFilters] nvarchar(max) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114415_CredentialFallback'
)
BEGIN
    ALTER TABLE [Tenants] ADD [CustomIgnoreFilters] nvarchar(max) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114415_CredentialFallback'
)
BEGIN
    ALTER TABLE [Devices] ADD [CustomDeleteFilters] nvarchar(max) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114415_CredentialFallback'
)
BEGIN
    ALTER TABLE [Devices] ADD [CustomIgnoreFilters] nvarchar(max) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114415_CredentialFallback'
)
BEGIN
    ALTER TABLE [Devices] ADD [OfferedHostKeyAtUtc] datetime2 NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114415_CredentialFallback'
)
BEGIN
    ALTER TABLE [Devices] ADD [OfferedHostKeyFingerprint] nvarchar(128) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114415_CredentialFallback'
)
BEGIN
    CREATE TABLE [DeviceCredentialProfiles] (
        [Id] int NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [DeviceId] int NOT NULL,
        [CredentialProfileId] int NOT NULL,
        [Position] int NOT NULL,
        CONSTRAINT [PK_DeviceCredentialProfiles] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_DeviceCredentialProfiles_CredentialProfiles_CredentialProfileId] FOREIGN KEY ([CredentialProfileId]) REFERENCES [CredentialProfiles] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_DeviceCredentialProfiles_Devices_DeviceId] FOREIGN KEY ([DeviceId]) REFERENCES [Devices] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_DeviceCredentialProfiles_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114415_CredentialFallback'
)
BEGIN
    CREATE INDEX [IX_DeviceCredentialProfiles_CredentialProfileId] ON [DeviceCredentialProfiles] ([CredentialProfileId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114415_CredentialFallback'
)
BEGIN
    CREATE UNIQUE INDEX [IX_DeviceCredentialProfiles_DeviceId_CredentialProfileId] ON [DeviceCredentialProfiles] ([DeviceId], [CredentialProfileId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114415_CredentialFallback'
)
BEGIN
    CREATE UNIQUE INDEX [IX_DeviceCredentialProfiles_DeviceId_Position] ON [DeviceCredentialProfiles] ([DeviceId], [Position]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114415_CredentialFallback'
)
BEGIN
    CREATE INDEX [IX_DeviceCredentialProfiles_TenantId] ON [DeviceCredentialProfiles] ([TenantId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114415_CredentialFallback'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261128114415_CredentialFallback', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114938_CredentialFallbackData'
)
BEGIN
    INSERT INTO DeviceCredentialProfiles (TenantId, DeviceId, CredentialProfileId, Position) SELECT TenantId, Id, LastWorkingCredentialProfileId, 0 FROM Devices WHERE LastWorkingCredentialProfileId IS NOT NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114938_CredentialFallbackData'
)
BEGIN
    UPDATE Devices SET LastWorkingCredentialProfileId = NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128114938_CredentialFallbackData'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261128114938_CredentialFallbackData', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128115410_GridIndexes'
)
BEGIN
    CREATE INDEX [IX_Devices_TenantId_Address] ON [Devices] ([TenantId], [Address]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128115410_GridIndexes'
)
BEGIN
    CREATE INDEX [IX_Devices_TenantId_SnapshotCount] ON [Devices] ([TenantId], [SnapshotCount]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128115410_GridIndexes'
)
BEGIN
    CREATE INDEX [IX_Devices_TenantId_Vendor_Name] ON [Devices] ([TenantId], [Vendor], [Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128115410_GridIndexes'
)
BEGIN
    CREATE INDEX [IX_AuditEntries_TenantId_Outcome_Sequence] ON [AuditEntries] ([TenantId], [Outcome], [Sequence]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128115410_GridIndexes'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261128115410_GridIndexes', N'10.0.15');
END;

COMMIT;
GO

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128115704_AuditFullText'
)
BEGIN
    IF FULLTEXTSERVICEPROPERTY('IsFullTextInstalled') = 1
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM sys.fulltext_catalogs WHERE name = 'ConfigPortalAudit')
            EXEC('CREATE FULLTEXT CATALOG ConfigPortalAudit');
        IF NOT EXISTS (SELECT 1 FROM sys.fulltext_indexes WHERE object_id = OBJECT_ID('dbo.AuditEntries'))
            EXEC('CREATE FULLTEXT INDEX ON dbo.AuditEntries(DetailsJson, ActorName, DeviceName) KEY INDEX PK_AuditEntries ON ConfigPortalAudit WITH CHANGE_TRACKING AUTO');
    END
END;
GO

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128115704_AuditFullText'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261128115704_AuditFullText', N'10.0.15');
END;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128115952_AdminFeatures'
)
BEGIN
    ALTER TABLE [Devices] ADD [Group] nvarchar(100) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128115952_AdminFeatures'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261128115952_AdminFeatures', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135306_SnapshotDelta'
)
BEGIN
    ALTER TABLE [SnapshotContents] ADD [BaseSnapshotId] bigint NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135306_SnapshotDelta'
)
BEGIN
    CREATE INDEX [IX_SnapshotContents_BaseSnapshotId] ON [SnapshotContents] ([BaseSnapshotId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135306_SnapshotDelta'
)
BEGIN
    ALTER TABLE [SnapshotContents] ADD CONSTRAINT [FK_SnapshotContents_Snapshots_BaseSnapshotId] FOREIGN KEY ([BaseSnapshotId]) REFERENCES [Snapshots] ([Id]) ON DELETE NO ACTION;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135306_SnapshotDelta'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261128135306_SnapshotDelta', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135913_RunsGrid'
)
BEGIN
    CREATE TABLE [BulkBackupRequests] (
        [Id] bigint NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [Trigger] int NOT NULL,
        [Group] nvarchar(100) NULL,
        [RequestedByUserId] nvarchar(450) NULL,
        [RequestedByName] nvarchar(256) NOT NULL,
        [ClientIp] nvarchar(64) NULL,
        [RequestedAtUtc] datetime2 NOT NULL,
        [CorrelationId] nvarchar(64) NOT NULL,
        [Requested] int NOT NULL,
        [Queued] int NOT NULL,
        [Joined] int NOT NULL,
        [Skipped] int NOT NULL,
        CONSTRAINT [PK_BulkBackupRequests] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_BulkBackupRequests_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135913_RunsGrid'
)
BEGIN
    CREATE TABLE [BulkBackupItems] (
        [Id] bigint NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [BulkRequestId] bigint NOT NULL,
        [DeviceId] int NOT NULL,
        [RunId] bigint NULL,
        [Joined] bit NOT NULL,
        [SkipReason] nvarchar(200) NULL,
        CONSTRAINT [PK_BulkBackupItems] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_BulkBackupItems_BackupRuns_RunId] FOREIGN KEY ([RunId]) REFERENCES [BackupRuns] ([Id]) ON DELETE NO ACTION,
        CONSTRAINT [FK_BulkBackupItems_BulkBackupRequests_BulkRequestId] FOREIGN KEY ([BulkRequestId]) REFERENCES [BulkBackupRequests] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_BulkBackupItems_Devices_DeviceId] FOREIGN KEY ([DeviceId]) REFERENCES [Devices] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135913_RunsGrid'
)
BEGIN
    CREATE INDEX [IX_Devices_TenantId_Group_Name] ON [Devices] ([TenantId], [Group], [Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135913_RunsGrid'
)
BEGIN
    CREATE INDEX [IX_BackupRuns_TenantId_FailureKind_Id] ON [BackupRuns] ([TenantId], [FailureKind], [Id]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135913_RunsGrid'
)
BEGIN
    CREATE INDEX [IX_BackupRuns_TenantId_Id] ON [BackupRuns] ([TenantId], [Id]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135913_RunsGrid'
)
BEGIN
    CREATE INDEX [IX_BackupRuns_TenantId_Outcome_Id] ON [BackupRuns] ([TenantId], [Outcome], [Id]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135913_RunsGrid'
)
BEGIN
    CREATE INDEX [IX_BackupRuns_TenantId_QueuedAtUtc] ON [BackupRuns] ([TenantId], [QueuedAtUtc]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135913_RunsGrid'
)
BEGIN
    CREATE INDEX [IX_BackupRuns_TenantId_Trigger_Id] ON [BackupRuns] ([TenantId], [Trigger], [Id]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135913_RunsGrid'
)
BEGIN
    CREATE INDEX [IX_BulkBackupItems_BulkRequestId_RunId] ON [BulkBackupItems] ([BulkRequestId], [RunId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135913_RunsGrid'
)
BEGIN
    CREATE INDEX [IX_BulkBackupItems_DeviceId] ON [BulkBackupItems] ([DeviceId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135913_RunsGrid'
)
BEGIN
    CREATE INDEX [IX_BulkBackupItems_RunId] ON [BulkBackupItems] ([RunId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135913_RunsGrid'
)
BEGIN
    CREATE INDEX [IX_BulkBackupRequests_TenantId_Id] ON [BulkBackupRequests] ([TenantId], [Id]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135913_RunsGrid'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261128135913_RunsGrid', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135944_Notifications'
)
BEGIN
    CREATE TABLE [NotificationChannels] (
        [Id] int NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [Name] nvarchar(100) NOT NULL,
        [Kind] int NOT NULL,
        [Enabled] bit NOT NULL,
        [Groups] nvarchar(4000) NULL,
        [OnConfigChanged] bit NOT NULL,
        [OnBackupsFailing] bit NOT NULL,
        [FailureThreshold] int NOT NULL,
        [SmtpHost] nvarchar(253) NULL,
        [SmtpPort] int NULL,
        [SmtpTls] int NOT NULL,
        [SmtpUsername] nvarchar(200) NULL,
        [ProtectedSmtpPassword] nvarchar(2000) NULL,
        [FromAddress] nvarchar(254) NULL,
        [Recipients] nvarchar(max) NULL,
        [WebhookUrl] nvarchar(2000) NULL,
        [ProtectedWebhookSecret] nvarchar(2000) NULL,
        [CreatedAtUtc] datetime2 NOT NULL,
        [UpdatedAtUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_NotificationChannels] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_NotificationChannels_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135944_Notifications'
)
BEGIN
    CREATE TABLE [NotificationDeliveries] (
        [Id] bigint NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [ChannelId] int NOT NULL,
        [Event] int NOT NULL,
        [DeviceId] int NULL,
        [DeviceName] nvarchar(100) NULL,
        [CorrelationId] nvarchar(64) NULL,
        [Payload] nvarchar(max) NOT NULL,
        [Status] int NOT NULL,
        [Attempts] int NOT NULL,
        [CreatedAtUtc] datetime2 NOT NULL,
        [NextAttemptAtUtc] datetime2 NOT NULL,
        [LeaseUntilUtc] datetime2 NULL,
        [ClaimToken] nvarchar(64) NULL,
        [CompletedAtUtc] datetime2 NULL,
        [Result] nvarchar(500) NULL,
        CONSTRAINT [PK_NotificationDeliveries] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_NotificationDeliveries_Devices_DeviceId] FOREIGN KEY ([DeviceId]) REFERENCES [Devices] ([Id]) ON DELETE SET NULL,
        CONSTRAINT [FK_NotificationDeliveries_NotificationChannels_ChannelId] FOREIGN KEY ([ChannelId]) REFERENCES [NotificationChannels] ([Id]) ON DELETE CASCADE,
        CONSTRAINT [FK_NotificationDeliveries_Tenants_TenantId] FOREIGN KEY ([TenantId]) REFERENCES [Tenants] ([Id]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135944_Notifications'
)
BEGIN
    CREATE UNIQUE INDEX [IX_NotificationChannels_TenantId_Name] ON [NotificationChannels] ([TenantId], [Name]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135944_Notifications'
)
BEGIN
    CREATE INDEX [IX_NotificationDeliveries_ChannelId] ON [NotificationDeliveries] ([ChannelId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135944_Notifications'
)
BEGIN
    CREATE INDEX [IX_NotificationDeliveries_DeviceId] ON [NotificationDeliveries] ([DeviceId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135944_Notifications'
)
BEGIN
    CREATE INDEX [IX_NotificationDeliveries_Status_NextAttemptAtUtc] ON [NotificationDeliveries] ([Status], [NextAttemptAtUtc]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135944_Notifications'
)
BEGIN
    CREATE INDEX [IX_NotificationDeliveries_TenantId_ChannelId_Id] ON [NotificationDeliveries] ([TenantId], [ChannelId], [Id]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128135944_Notifications'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261128135944_Notifications', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128140157_ChangesAndSearch'
)
BEGIN
    ALTER TABLE [SnapshotDiffs] ADD [ChangedSections] nvarchar(max) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128140157_ChangesAndSearch'
)
BEGIN
    CREATE TABLE [DeviceLatestConfigs] (
        [DeviceId] int NOT NULL,
        [TenantId] int NOT NULL,
        [SnapshotId] bigint NOT NULL,
        [Text] nvarchar(max) NOT NULL,
        CONSTRAINT [PK_DeviceLatestConfigs] PRIMARY KEY ([DeviceId]),
        CONSTRAINT [FK_DeviceLatestConfigs_Devices_DeviceId] FOREIGN KEY ([DeviceId]) REFERENCES [Devices] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128140157_ChangesAndSearch'
)
BEGIN
    CREATE INDEX [IX_DeviceLatestConfigs_TenantId_DeviceId] ON [DeviceLatestConfigs] ([TenantId], [DeviceId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128140157_ChangesAndSearch'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261128140157_ChangesAndSearch', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128140252_UserPreferences'
)
BEGIN
    CREATE TABLE [UserPreferences] (
        [UserId] nvarchar(450) NOT NULL,
        [Name] varchar(64) NOT NULL,
        [Value] nvarchar(256) NOT NULL,
        [UpdatedAtUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_UserPreferences] PRIMARY KEY ([UserId], [Name]),
        CONSTRAINT [FK_UserPreferences_AspNetUsers_UserId] FOREIGN KEY ([UserId]) REFERENCES [AspNetUsers] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128140252_UserPreferences'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261128140252_UserPreferences', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128140253_AuditRetention'
)
BEGIN
    DROP INDEX [IX_AuditEntries_TenantId_TimestampUtc] ON [AuditEntries];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128140253_AuditRetention'
)
BEGIN
    ALTER TABLE [Tenants] ADD [AuditRetentionDays] int NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128140253_AuditRetention'
)
BEGIN
    CREATE INDEX [IX_AuditEntries_TenantId_TimestampUtc_Sequence] ON [AuditEntries] ([TenantId], [TimestampUtc], [Sequence]);
END;

COMMIT;
GO

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128140253_AuditRetention'
)
BEGIN
    DECLARE @auditLedger bit = 0;
    IF EXISTS (SELECT 1 FROM sys.extended_properties WHERE class = 0 AND name = N'ConfigPortal.AuditLedger' AND CONVERT(nvarchar(16), value) = N'on')
    BEGIN
        IF CAST(SERVERPROPERTY('ProductMajorVersion') AS int) < 16 AND CAST(SERVERPROPERTY('EngineEdition') AS int) NOT IN (5, 8)
            RAISERROR(N'ConfigPortal: the audit ledger option needs SQL Server 2022 or Azure SQL; AuditEntries stays a regular table.', 10, 1) WITH NOWAIT;
        ELSE
        BEGIN
            EXEC sys.sp_executesql
                N'SELECT @convert = CASE WHEN EXISTS (SELECT 1 FROM sys.tables WHERE object_id = OBJECT_ID(N''dbo.AuditEntries'') AND ledger_type = 0) AND NOT EXISTS (SELECT 1 FROM dbo.AuditEntries) THEN 1 ELSE 0 END',
                N'@convert bit OUTPUT', @convert = @auditLedger OUTPUT;
            IF @auditLedger = 0
                RAISERROR(N'ConfigPortal: the audit ledger option is set, but AuditEntries already holds entries (or is a ledger table); it is left as it is. See docs/audit.md.', 10, 1) WITH NOWAIT;
        END
    END
    IF @auditLedger = 1
    BEGIN
        IF EXISTS (SELECT 1 FROM sys.fulltext_indexes WHERE object_id = OBJECT_ID(N'dbo.AuditEntries'))
            EXEC(N'DROP FULLTEXT INDEX ON dbo.AuditEntries');
        SET XACT_ABORT ON;
        BEGIN TRANSACTION;
        EXEC(N'DROP TABLE dbo.AuditEntries');
        EXEC(N'CREATE TABLE [dbo].[AuditEntries] (
            [Id] bigint NOT NULL IDENTITY,
            [TenantId] int NOT NULL,
            [Sequence] bigint NOT NULL,
            [TimestampUtc] datetime2 NOT NULL,
            [ActorKind] int NOT NULL,
            [ActorId] nvarchar(450) NULL,
            [ActorName] nvarchar(256) NOT NULL,
            [Action] varchar(64) NOT NULL,
            [ResourceType] nvarchar(64) NULL,
            [ResourceId] nvarchar(128) NULL,
            [DeviceId] int NULL,
            [DeviceName] nvarchar(100) NULL,
            [ClientIp] nvarchar(64) NULL,
            [UserAgent] nvarchar(256) NULL,
            [CorrelationId] nvarchar(64) NULL,
            [Outcome] int NOT NULL,
            [DetailsJson] nvarchar(max) NOT NULL,
            [PreviousHash] varchar(64) NOT NULL,
            [Hash] varchar(64) NOT NULL,
            CONSTRAINT [PK_AuditEntries] PRIMARY KEY ([Id])
        ) WITH (LEDGER = ON (APPEND_ONLY = ON))');
        EXEC(N'CREATE UNIQUE INDEX [IX_AuditEntries_TenantId_Sequence] ON [dbo].[AuditEntries] ([TenantId], [Sequence])');
        EXEC(N'CREATE INDEX [IX_AuditEntries_TenantId_TimestampUtc_Sequence] ON [dbo].[AuditEntries] ([TenantId], [TimestampUtc], [Sequence])');
        EXEC(N'CREATE INDEX [IX_AuditEntries_TenantId_Action_Sequence] ON [dbo].[AuditEntries] ([TenantId], [Action], [Sequence])');
        EXEC(N'CREATE INDEX [IX_AuditEntries_TenantId_DeviceId_Sequence] ON [dbo].[AuditEntries] ([TenantId], [DeviceId], [Sequence])');
        EXEC(N'CREATE INDEX [IX_AuditEntries_TenantId_ActorName_Sequence] ON [dbo].[AuditEntries] ([TenantId], [ActorName], [Sequence])');
        EXEC(N'CREATE INDEX [IX_AuditEntries_TenantId_Outcome_Sequence] ON [dbo].[AuditEntries] ([TenantId], [Outcome], [Sequence])');
        EXEC(N'CREATE INDEX [IX_AuditEntries_TenantId_CorrelationId] ON [dbo].[AuditEntries] ([TenantId], [CorrelationId])');
        COMMIT TRANSACTION;
        RAISERROR(N'ConfigPortal: AuditEntries is now an append-only ledger table (no full-text index: ledger tables cannot have one).', 10, 1) WITH NOWAIT;
    END
END;
GO

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128140253_AuditRetention'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261128140253_AuditRetention', N'10.0.15');
END;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    DROP INDEX [IX_BackupRuns_DeviceId] ON [BackupRuns];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    ALTER TABLE [BackupRuns] ADD [LeaseExpiresAtUtc] datetime2 NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    ALTER TABLE [BackupRuns] ADD [OwnerInstanceId] nvarchar(200) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    ALTER TABLE [BackupRuns] ADD [ScheduledSlotUtc] datetime2 NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    ALTER TABLE [BackupRuns] ADD [SlotAttempt] int NOT NULL DEFAULT 0;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    CREATE TABLE [BackupSchedules] (
        [Id] int NOT NULL IDENTITY,
        [TenantId] int NOT NULL,
        [Scope] int NOT NULL,
        [GroupName] nvarchar(100) NULL,
        [DeviceId] int NULL,
        [ScopeKey] nvarchar(110) NOT NULL,
        [CronExpression] nvarchar(100) NOT NULL,
        [TimeZoneId] nvarchar(64) NOT NULL,
        [JitterSeconds] int NOT NULL,
        [Enabled] bit NOT NULL,
        [CreatedAtUtc] datetime2 NOT NULL,
        [UpdatedAtUtc] datetime2 NOT NULL,
        CONSTRAINT [PK_BackupSchedules] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_BackupSchedules_Devices_DeviceId] FOREIGN KEY ([DeviceId]) REFERENCES [Devices] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [IX_BackupRuns_DeviceId_ScheduledSlotUtc_SlotAttempt] ON [BackupRuns] ([DeviceId], [ScheduledSlotUtc], [SlotAttempt]) WHERE [ScheduledSlotUtc] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    CREATE INDEX [IX_BackupRuns_LeaseExpiresAtUtc] ON [BackupRuns] ([LeaseExpiresAtUtc]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    CREATE INDEX [IX_BackupRuns_ScheduledSlotUtc] ON [BackupRuns] ([ScheduledSlotUtc]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    CREATE INDEX [IX_BackupSchedules_DeviceId] ON [BackupSchedules] ([DeviceId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    CREATE UNIQUE INDEX [IX_BackupSchedules_TenantId_ScopeKey] ON [BackupSchedules] ([TenantId], [ScopeKey]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- QRTZ_JOB_DETAILS
    IF OBJECT_ID(N'QRTZ_JOB_DETAILS', N'U') IS NULL
    BEGIN
      CREATE TABLE QRTZ_JOB_DETAILS (
        SCHED_NAME nvarchar(120) NOT NULL,
        JOB_NAME nvarchar(150) NOT NULL,
        JOB_GROUP nvarchar(150) NOT NULL,
        DESCRIPTION nvarchar(250) NULL,
        JOB_CLASS_NAME nvarchar(250) NOT NULL,
        IS_DURABLE bit NOT NULL,
        IS_NONCONCURRENT bit NOT NULL,
        IS_UPDATE_DATA bit NOT NULL,
        REQUESTS_RECOVERY bit NOT NULL,
        JOB_DATA varbinary(max) NULL,
        CONSTRAINT PK_QRTZ_JOB_DETAILS PRIMARY KEY (SCHED_NAME,JOB_NAME,JOB_GROUP)
      );
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- QRTZ_TRIGGERS
    IF OBJECT_ID(N'QRTZ_TRIGGERS', N'U') IS NULL
    BEGIN
      CREATE TABLE QRTZ_TRIGGERS (
        SCHED_NAME nvarchar(120) NOT NULL,
        TRIGGER_NAME nvarchar(150) NOT NULL,
        TRIGGER_GROUP nvarchar(150) NOT NULL,
        JOB_NAME nvarchar(150) NOT NULL,
        JOB_GROUP nvarchar(150) NOT NULL,
        DESCRIPTION nvarchar(250) NULL,
        NEXT_FIRE_TIME bigint NULL,
        PREV_FIRE_TIME bigint NULL,
        PRIORITY int NULL,
        TRIGGER_STATE nvarchar(16) NOT NULL,
        TRIGGER_TYPE nvarchar(8) NOT NULL,
        START_TIME bigint NOT NULL,
        END_TIME bigint NULL,
        CALENDAR_NAME nvarchar(200) NULL,
        MISFIRE_INSTR int NULL,
        MISFIRE_ORIG_FIRE_TIME bigint NULL,
        EXECUTION_GROUP nvarchar(200) NULL,
        PREFERRED_NODE nvarchar(200) NULL,
        PREFERRED_NODE_AUTO bit NOT NULL DEFAULT 0,
        RETRY_POLICY nvarchar(250) NULL,
        RETRY_ATTEMPT int NULL,
        CONTINUES_TRIGGER_NAME nvarchar(150) NULL,
        CONTINUES_TRIGGER_GROUP nvarchar(150) NULL,
        CONTINUATION_CONDITION int NULL,
        OVERLAP_POLICY int NULL,
        PAUSE_REASON nvarchar(250) NULL,
        PAUSED_BY nvarchar(200) NULL,
        PAUSED_AT bigint NULL,
        MISFIRE_THRESHOLD bigint NULL,
        FIXED_DELAY bit NULL,
        JOB_DATA varbinary(max) NULL,
        CONSTRAINT PK_QRTZ_TRIGGERS PRIMARY KEY (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP),
        CONSTRAINT FK_QRTZ_TRIGGERS_QRTZ_JOB_DETAILS FOREIGN KEY (SCHED_NAME,JOB_NAME,JOB_GROUP) REFERENCES QRTZ_JOB_DETAILS (SCHED_NAME,JOB_NAME,JOB_GROUP)
      );
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- QRTZ_SIMPLE_TRIGGERS
    IF OBJECT_ID(N'QRTZ_SIMPLE_TRIGGERS', N'U') IS NULL
    BEGIN
      CREATE TABLE QRTZ_SIMPLE_TRIGGERS (
        SCHED_NAME nvarchar(120) NOT NULL,
        TRIGGER_NAME nvarchar(150) NOT NULL,
        TRIGGER_GROUP nvarchar(150) NOT NULL,
        REPEAT_COUNT int NOT NULL,
        REPEAT_INTERVAL bigint NOT NULL,
        TIMES_TRIGGERED int NOT NULL,
        CONSTRAINT PK_QRTZ_SIMPLE_TRIGGERS PRIMARY KEY (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP),
        CONSTRAINT FK_QRTZ_SIMPLE_TRIGGERS_QRTZ_TRIGGERS FOREIGN KEY (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP) REFERENCES QRTZ_TRIGGERS (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP) ON DELETE CASCADE
      );
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- QRTZ_CRON_TRIGGERS
    IF OBJECT_ID(N'QRTZ_CRON_TRIGGERS', N'U') IS NULL
    BEGIN
      CREATE TABLE QRTZ_CRON_TRIGGERS (
        SCHED_NAME nvarchar(120) NOT NULL,
        TRIGGER_NAME nvarchar(150) NOT NULL,
        TRIGGER_GROUP nvarchar(150) NOT NULL,
        CRON_EXPRESSION nvarchar(120) NOT NULL,
        TIME_ZONE_ID nvarchar(80),
        CONSTRAINT PK_QRTZ_CRON_TRIGGERS PRIMARY KEY (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP),
        CONSTRAINT FK_QRTZ_CRON_TRIGGERS_QRTZ_TRIGGERS FOREIGN KEY (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP) REFERENCES QRTZ_TRIGGERS (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP) ON DELETE CASCADE
      );
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- QRTZ_SIMPROP_TRIGGERS
    IF OBJECT_ID(N'QRTZ_SIMPROP_TRIGGERS', N'U') IS NULL
    BEGIN
      CREATE TABLE QRTZ_SIMPROP_TRIGGERS (
        SCHED_NAME nvarchar(120) NOT NULL,
        TRIGGER_NAME nvarchar(150) NOT NULL,
        TRIGGER_GROUP nvarchar(150) NOT NULL,
        STR_PROP_1 nvarchar(512) NULL,
        STR_PROP_2 nvarchar(512) NULL,
        STR_PROP_3 nvarchar(512) NULL,
        INT_PROP_1 int NULL,
        INT_PROP_2 int NULL,
        LONG_PROP_1 bigint NULL,
        LONG_PROP_2 bigint NULL,
        DEC_PROP_1 numeric(13,4) NULL,
        DEC_PROP_2 numeric(13,4) NULL,
        BOOL_PROP_1 bit NULL,
        BOOL_PROP_2 bit NULL,
        TIME_ZONE_ID nvarchar(80) NULL,
        CONSTRAINT PK_QRTZ_SIMPROP_TRIGGERS PRIMARY KEY (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP),
        CONSTRAINT FK_QRTZ_SIMPROP_TRIGGERS_QRTZ_TRIGGERS FOREIGN KEY (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP) REFERENCES QRTZ_TRIGGERS (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP) ON DELETE CASCADE
      );
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- QRTZ_BLOB_TRIGGERS
    IF OBJECT_ID(N'QRTZ_BLOB_TRIGGERS', N'U') IS NULL
    BEGIN
      CREATE TABLE QRTZ_BLOB_TRIGGERS (
        SCHED_NAME nvarchar(120) NOT NULL,
        TRIGGER_NAME nvarchar(150) NOT NULL,
        TRIGGER_GROUP nvarchar(150) NOT NULL,
        BLOB_DATA varbinary(max) NULL,
        CONSTRAINT PK_QRTZ_BLOB_TRIGGERS PRIMARY KEY (SCHED_NAME,TRIGGER_NAME,TRIGGER_GROUP)
      );
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- QRTZ_CALENDARS
    IF OBJECT_ID(N'QRTZ_CALENDARS', N'U') IS NULL
    BEGIN
      CREATE TABLE QRTZ_CALENDARS (
        SCHED_NAME nvarchar(120) NOT NULL,
        CALENDAR_NAME nvarchar(200) NOT NULL,
        CALENDAR varbinary(max) NOT NULL,
        CONSTRAINT PK_QRTZ_CALENDARS PRIMARY KEY (SCHED_NAME,CALENDAR_NAME)
      );
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- QRTZ_PAUSED_TRIGGER_GRPS
    IF OBJECT_ID(N'QRTZ_PAUSED_TRIGGER_GRPS', N'U') IS NULL
    BEGIN
      CREATE TABLE QRTZ_PAUSED_TRIGGER_GRPS (
        SCHED_NAME nvarchar(120) NOT NULL,
        TRIGGER_GROUP nvarchar(150) NOT NULL,
        PAUSE_REASON nvarchar(250) NULL,
        PAUSED_BY nvarchar(200) NULL,
        PAUSED_AT bigint NULL,
        CONSTRAINT PK_QRTZ_PAUSED_TRIGGER_GRPS PRIMARY KEY (SCHED_NAME,TRIGGER_GROUP)
      );
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- QRTZ_PAUSED_JOB_GRPS
    IF OBJECT_ID(N'QRTZ_PAUSED_JOB_GRPS', N'U') IS NULL
    BEGIN
      CREATE TABLE QRTZ_PAUSED_JOB_GRPS (
        SCHED_NAME nvarchar(120) NOT NULL,
        JOB_GROUP nvarchar(150) NOT NULL,
        PAUSE_REASON nvarchar(250) NULL,
        PAUSED_BY nvarchar(200) NULL,
        PAUSED_AT bigint NULL,
        CONSTRAINT PK_QRTZ_PAUSED_JOB_GRPS PRIMARY KEY (SCHED_NAME,JOB_GROUP)
      );
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- QRTZ_FIRED_TRIGGERS
    IF OBJECT_ID(N'QRTZ_FIRED_TRIGGERS', N'U') IS NULL
    BEGIN
      CREATE TABLE QRTZ_FIRED_TRIGGERS (
        SCHED_NAME nvarchar(120) NOT NULL,
        ENTRY_ID nvarchar(140) NOT NULL,
        TRIGGER_NAME nvarchar(150) NOT NULL,
        TRIGGER_GROUP nvarchar(150) NOT NULL,
        INSTANCE_NAME nvarchar(200) NOT NULL,
        FIRED_TIME bigint NOT NULL,
        SCHED_TIME bigint NOT NULL,
        PRIORITY int NOT NULL,
        STATE nvarchar(16) NOT NULL,
        JOB_NAME nvarchar(150) NULL,
        JOB_GROUP nvarchar(150) NULL,
        IS_NONCONCURRENT bit NULL,
        REQUESTS_RECOVERY bit NULL,
        EXECUTION_GROUP nvarchar(200) NULL,
        PROGRESS int NULL,
        PROGRESS_MESSAGE nvarchar(250) NULL,
        INTERRUPT_REQUESTED_TIME bigint NULL,
        CONSTRAINT PK_QRTZ_FIRED_TRIGGERS PRIMARY KEY (SCHED_NAME,ENTRY_ID)
      );
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- QRTZ_SCHEDULER_STATE
    IF OBJECT_ID(N'QRTZ_SCHEDULER_STATE', N'U') IS NULL
    BEGIN
      CREATE TABLE QRTZ_SCHEDULER_STATE (
        SCHED_NAME nvarchar(120) NOT NULL,
        INSTANCE_NAME nvarchar(200) NOT NULL,
        LAST_CHECKIN_TIME bigint NOT NULL,
        CHECKIN_INTERVAL bigint NOT NULL,
        QUARTZ_VERSION nvarchar(20) NULL,
        CONSTRAINT PK_QRTZ_SCHEDULER_STATE PRIMARY KEY (SCHED_NAME,INSTANCE_NAME)
      );
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- QRTZ_LOCKS
    IF OBJECT_ID(N'QRTZ_LOCKS', N'U') IS NULL
    BEGIN
      CREATE TABLE QRTZ_LOCKS (
        SCHED_NAME nvarchar(120) NOT NULL,
        LOCK_NAME nvarchar(40) NOT NULL,
        CONSTRAINT PK_QRTZ_LOCKS PRIMARY KEY (SCHED_NAME,LOCK_NAME)
      );
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- QRTZ_EXECUTION_HISTORY
    IF OBJECT_ID(N'QRTZ_EXECUTION_HISTORY', N'U') IS NULL
    BEGIN
      CREATE TABLE QRTZ_EXECUTION_HISTORY (
        SCHED_NAME nvarchar(120) NOT NULL,
        ENTRY_ID nvarchar(140) NOT NULL,
        INSTANCE_NAME nvarchar(200) NOT NULL,
        JOB_NAME nvarchar(150) NOT NULL,
        JOB_GROUP nvarchar(150) NOT NULL,
        TRIGGER_NAME nvarchar(150) NOT NULL,
        TRIGGER_GROUP nvarchar(150) NOT NULL,
        FIRED_TIME bigint NOT NULL,
        RUN_TIME bigint NOT NULL,
        SUCCEEDED bit NOT NULL,
        ERROR_MESSAGE nvarchar(1000) NULL,
        RETRY_ATTEMPT int NOT NULL DEFAULT 0,
        RETRY_SCHEDULED bit NOT NULL DEFAULT 0,
        EXECUTION_LOG nvarchar(max) NULL,
        RESULT int NULL,
        SUMMARY nvarchar(1000) NULL,
        METRICS nvarchar(max) NULL,
        MANUAL bit NULL,
        FIRE_INSTANCE_ID nvarchar(140) NULL,
        JOB_INPUT nvarchar(max) NULL,
        JOB_INPUT_TOO_LARGE bit NULL,
        CONSTRAINT PK_QRTZ_EXECUTION_HISTORY PRIMARY KEY (SCHED_NAME,ENTRY_ID)
      );
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- QRTZ_MISFIRE_HISTORY
    IF OBJECT_ID(N'QRTZ_MISFIRE_HISTORY', N'U') IS NULL
    BEGIN
      CREATE TABLE QRTZ_MISFIRE_HISTORY (
        SCHED_NAME nvarchar(120) NOT NULL,
        ENTRY_ID nvarchar(140) NOT NULL,
        INSTANCE_NAME nvarchar(200) NOT NULL,
        TRIGGER_NAME nvarchar(150) NOT NULL,
        TRIGGER_GROUP nvarchar(150) NOT NULL,
        JOB_NAME nvarchar(150) NULL,
        JOB_GROUP nvarchar(150) NULL,
        MISFIRE_TIME bigint NOT NULL,
        SCHED_TIME bigint NULL,
        REASON int NULL,
        CONSTRAINT PK_QRTZ_MISFIRE_HISTORY PRIMARY KEY (SCHED_NAME,ENTRY_ID)
      );
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- QRTZ_JOB_STATUS
    IF OBJECT_ID(N'QRTZ_JOB_STATUS', N'U') IS NULL
    BEGIN
      CREATE TABLE QRTZ_JOB_STATUS (
        SCHED_NAME nvarchar(120) NOT NULL,
        JOB_GROUP nvarchar(150) NOT NULL,
        JOB_NAME nvarchar(150) NOT NULL,
        FIRST_FIRED_TIME bigint NOT NULL,
        LAST_FIRED_TIME bigint NOT NULL,
        LAST_RESULT int NOT NULL,
        LAST_RUN_TIME bigint NOT NULL,
        LAST_INSTANCE_NAME nvarchar(200) NOT NULL,
        LAST_ENTRY_ID nvarchar(140) NULL,
        LAST_SUMMARY nvarchar(1000) NULL,
        LAST_SUCCESS_TIME bigint NULL,
        LAST_FAILURE_TIME bigint NULL,
        LAST_FAILURE_MESSAGE nvarchar(1000) NULL,
        CONSECUTIVE_FAILURES int NOT NULL DEFAULT 0,
        RUN_COUNT bigint NOT NULL DEFAULT 0,
        FAILURE_COUNT bigint NOT NULL DEFAULT 0,
        CONSTRAINT PK_QRTZ_JOB_STATUS PRIMARY KEY (SCHED_NAME,JOB_GROUP,JOB_NAME)
      );
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- IDX_QRTZ_J_G_N
    IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_J_G_N' AND object_id = OBJECT_ID('QRTZ_JOB_DETAILS'))
    BEGIN
      CREATE INDEX IDX_QRTZ_J_G_N ON QRTZ_JOB_DETAILS(SCHED_NAME, JOB_GROUP, JOB_NAME);
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- IDX_QRTZ_T_J
    IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_T_J' AND object_id = OBJECT_ID('QRTZ_TRIGGERS'))
    BEGIN
      CREATE INDEX IDX_QRTZ_T_J ON QRTZ_TRIGGERS(SCHED_NAME, JOB_NAME, JOB_GROUP);
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- IDX_QRTZ_T_G_N
    IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_T_G_N' AND object_id = OBJECT_ID('QRTZ_TRIGGERS'))
    BEGIN
      CREATE INDEX IDX_QRTZ_T_G_N ON QRTZ_TRIGGERS(SCHED_NAME, TRIGGER_GROUP, TRIGGER_NAME);
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- IDX_QRTZ_T_C
    IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_T_C' AND object_id = OBJECT_ID('QRTZ_TRIGGERS'))
    BEGIN
      CREATE INDEX IDX_QRTZ_T_C ON QRTZ_TRIGGERS(SCHED_NAME, CALENDAR_NAME);
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- IDX_QRTZ_T_NFT_ST
    IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_T_NFT_ST' AND object_id = OBJECT_ID('QRTZ_TRIGGERS'))
    BEGIN
      CREATE INDEX IDX_QRTZ_T_NFT_ST ON QRTZ_TRIGGERS(SCHED_NAME, TRIGGER_STATE, NEXT_FIRE_TIME ASC, PRIORITY DESC, MISFIRE_INSTR);
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- IDX_QRTZ_FT_INST_JOB_REQ_RCVRY
    IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_FT_INST_JOB_REQ_RCVRY' AND object_id = OBJECT_ID('QRTZ_FIRED_TRIGGERS'))
    BEGIN
      CREATE INDEX IDX_QRTZ_FT_INST_JOB_REQ_RCVRY ON QRTZ_FIRED_TRIGGERS(SCHED_NAME, INSTANCE_NAME, REQUESTS_RECOVERY);
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- IDX_QRTZ_FT_J_G
    IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_FT_J_G' AND object_id = OBJECT_ID('QRTZ_FIRED_TRIGGERS'))
    BEGIN
      CREATE INDEX IDX_QRTZ_FT_J_G ON QRTZ_FIRED_TRIGGERS(SCHED_NAME, JOB_NAME, JOB_GROUP);
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- IDX_QRTZ_FT_T_G
    IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_FT_T_G' AND object_id = OBJECT_ID('QRTZ_FIRED_TRIGGERS'))
    BEGIN
      CREATE INDEX IDX_QRTZ_FT_T_G ON QRTZ_FIRED_TRIGGERS(SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP);
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- IDX_QRTZ_EH_FIRED_TIME
    IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_EH_FIRED_TIME' AND object_id = OBJECT_ID('QRTZ_EXECUTION_HISTORY'))
    BEGIN
      CREATE INDEX IDX_QRTZ_EH_FIRED_TIME ON QRTZ_EXECUTION_HISTORY(SCHED_NAME, FIRED_TIME);
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- IDX_QRTZ_EH_INST
    IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_EH_INST' AND object_id = OBJECT_ID('QRTZ_EXECUTION_HISTORY'))
    BEGIN
      CREATE INDEX IDX_QRTZ_EH_INST ON QRTZ_EXECUTION_HISTORY(SCHED_NAME, INSTANCE_NAME);
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- IDX_QRTZ_MH_MISFIRE_TIME
    IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_MH_MISFIRE_TIME' AND object_id = OBJECT_ID('QRTZ_MISFIRE_HISTORY'))
    BEGIN
      CREATE INDEX IDX_QRTZ_MH_MISFIRE_TIME ON QRTZ_MISFIRE_HISTORY(SCHED_NAME, MISFIRE_TIME);
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- IDX_QRTZ_MH_INST
    IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_MH_INST' AND object_id = OBJECT_ID('QRTZ_MISFIRE_HISTORY'))
    BEGIN
      CREATE INDEX IDX_QRTZ_MH_INST ON QRTZ_MISFIRE_HISTORY(SCHED_NAME, INSTANCE_NAME);
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- IDX_QRTZ_EH_JOB_TIME
    IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_EH_JOB_TIME' AND object_id = OBJECT_ID('QRTZ_EXECUTION_HISTORY'))
    BEGIN
      CREATE INDEX IDX_QRTZ_EH_JOB_TIME ON QRTZ_EXECUTION_HISTORY(SCHED_NAME, JOB_GROUP, JOB_NAME, FIRED_TIME);
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- IDX_QRTZ_EH_FIRE_INST
    IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_EH_FIRE_INST' AND object_id = OBJECT_ID('QRTZ_EXECUTION_HISTORY'))
    BEGIN
      CREATE INDEX IDX_QRTZ_EH_FIRE_INST ON QRTZ_EXECUTION_HISTORY(SCHED_NAME, FIRE_INSTANCE_ID);
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    -- IDX_QRTZ_EH_TRIG_TIME
    IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'IDX_QRTZ_EH_TRIG_TIME' AND object_id = OBJECT_ID('QRTZ_EXECUTION_HISTORY'))
    BEGIN
      CREATE INDEX IDX_QRTZ_EH_TRIG_TIME ON QRTZ_EXECUTION_HISTORY(SCHED_NAME, TRIGGER_GROUP, TRIGGER_NAME, FIRED_TIME);
    END
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128141129_Schedules'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261128141129_Schedules', N'10.0.15');
END;

COMMIT;
GO

