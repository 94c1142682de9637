-- ConfigPortal: opt in to the audit trail as a SQL Server append-only ledger table.
--
-- Run this ONCE on the new, empty ConfigPortal database, BEFORE the application's migrations (before the portal's
-- first start with Database__MigrateOnStart=true, or before you apply configportal.sql). It only sets a database
-- property; the AuditRetention migration then creates dbo.AuditEntries as
--     WITH (LEDGER = ON (APPEND_ONLY = ON))
-- with the same columns and indexes. Requires SQL Server 2022 (16.x) or Azure SQL.
--
-- Consequences (docs/decisions/ADR-005-audit-ledger.md, docs/audit.md):
--   * no UPDATE, DELETE or TRUNCATE on dbo.AuditEntries for anyone, sysadmin included; a ledger table cannot be turned
--     back into a regular table;
--   * audit retention ("keep audit entries N days") is refused: the setting cannot be turned on and the retention job
--     reports it;
--   * no full-text index on the audit table (ledger tables cannot have one); the portal's text search on SQL Server
--     uses LIKE either way.
-- An existing database whose audit table already holds entries is NOT converted (a regular table cannot become a
-- ledger table in place): the migration leaves it and prints a message. See docs/operations.md for moving an existing
-- trail into a new ledger database.

IF NOT EXISTS (SELECT 1 FROM sys.extended_properties WHERE class = 0 AND name = N'ConfigPortal.AuditLedger')
    EXEC sys.sp_addextendedproperty @name = N'ConfigPortal.AuditLedger', @value = N'on';
ELSE
    EXEC sys.sp_updateextendedproperty @name = N'ConfigPortal.AuditLedger', @value = N'on';
GO

-- After the migrations, check the result (APPEND_ONLY_LEDGER_TABLE expected):
-- SELECT name, ledger_type_desc FROM sys.tables WHERE name = N'AuditEntries';
