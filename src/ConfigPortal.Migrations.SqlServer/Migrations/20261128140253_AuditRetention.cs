using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConfigPortal.Migrations.SqlServer.Migrations
{
    /// <summary>
    /// Tenant audit retention (Tenants.AuditRetentionDays), the time-window index (TenantId, TimestampUtc, Sequence), and the
    /// opt-in append-only ledger table for the audit trail (docs/decisions/ADR-007-audit-ledger.md): when the DBA set the
    /// database property <c>ConfigPortal.AuditLedger = on</c> (docker/sql/audit-ledger.sql) before the migrations, and
    /// AuditEntries is still a regular, empty table, it is re-created as <c>WITH (LEDGER = ON (APPEND_ONLY = ON))</c> with
    /// the same columns and indexes. An existing table cannot be converted in place; a table holding entries is left as it
    /// is (with a message). Every ledger statement is dynamic SQL so that the script still compiles on SQL Server 2019.
    /// </summary>
    public partial class AuditRetention : Migration
    {
        /// <summary>The database property that opts in to the ledger table (set by docker/sql/audit-ledger.sql).</summary>
        public const string LedgerOptInProperty = "ConfigPortal.AuditLedger";

        /// <summary>The guarded conversion of the empty AuditEntries table into an append-only ledger table.</summary>
        public const string AuditLedgerSql = """
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
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AuditEntries_TenantId_TimestampUtc",
                table: "AuditEntries");

            migrationBuilder.AddColumn<int>(
                name: "AuditRetentionDays",
                table: "Tenants",
                type: "int",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_TenantId_TimestampUtc_Sequence",
                table: "AuditEntries",
                columns: new[] { "TenantId", "TimestampUtc", "Sequence" });

            // Outside the migration's transaction: a full-text index cannot be dropped inside one.
            migrationBuilder.Sql(AuditLedgerSql, suppressTransaction: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // A ledger table cannot be turned back into a regular table; it stays as it is.
            migrationBuilder.DropIndex(
                name: "IX_AuditEntries_TenantId_TimestampUtc_Sequence",
                table: "AuditEntries");

            migrationBuilder.DropColumn(
                name: "AuditRetentionDays",
                table: "Tenants");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_TenantId_TimestampUtc",
                table: "AuditEntries",
                columns: new[] { "TenantId", "TimestampUtc" });
        }
    }
}
