using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConfigPortal.Migrations.SqlServer.Migrations
{
    /// <summary>
    /// A full-text index over the audit details where the server has Full-Text Search installed (it is optional in
    /// SQL Server; the statements are skipped otherwise). Full-text DDL cannot run inside a transaction.
    /// The query path still uses LIKE on SQL Server (see docs/audit.md).
    /// </summary>
    public partial class AuditFullText : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                IF FULLTEXTSERVICEPROPERTY('IsFullTextInstalled') = 1
                BEGIN
                    IF NOT EXISTS (SELECT 1 FROM sys.fulltext_catalogs WHERE name = 'ConfigPortalAudit')
                        EXEC('CREATE FULLTEXT CATALOG ConfigPortalAudit');
                    IF NOT EXISTS (SELECT 1 FROM sys.fulltext_indexes WHERE object_id = OBJECT_ID('dbo.AuditEntries'))
                        EXEC('CREATE FULLTEXT INDEX ON dbo.AuditEntries(DetailsJson, ActorName, DeviceName) KEY INDEX PK_AuditEntries ON ConfigPortalAudit WITH CHANGE_TRACKING AUTO');
                END
                """, suppressTransaction: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                IF EXISTS (SELECT 1 FROM sys.fulltext_indexes WHERE object_id = OBJECT_ID('dbo.AuditEntries'))
                    EXEC('DROP FULLTEXT INDEX ON dbo.AuditEntries');
                IF EXISTS (SELECT 1 FROM sys.fulltext_catalogs WHERE name = 'ConfigPortalAudit')
                    EXEC('DROP FULLTEXT CATALOG ConfigPortalAudit');
                """, suppressTransaction: true);
        }
    }
}
