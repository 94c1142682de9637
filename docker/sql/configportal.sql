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

