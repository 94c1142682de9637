using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConfigPortal.Migrations.Sqlite.Migrations
{
    /// <summary>
    /// FTS5 index over the audit entries' searchable text (external content: the index stores no copy of the rows),
    /// kept in step by triggers. The audit grid's "text in details" filter uses it instead of a LIKE scan.
    /// </summary>
    public partial class AuditFullText : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "AuditEntriesFts" USING fts5(
                    "DetailsJson", "ActorName", "DeviceName", "ResourceId", "Action",
                    content='AuditEntries', content_rowid='Id');
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEntriesFts_ai" AFTER INSERT ON "AuditEntries" BEGIN
                    INSERT INTO "AuditEntriesFts"(rowid, "DetailsJson", "ActorName", "DeviceName", "ResourceId", "Action")
                    VALUES (new."Id", new."DetailsJson", new."ActorName", new."DeviceName", new."ResourceId", new."Action");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEntriesFts_ad" AFTER DELETE ON "AuditEntries" BEGIN
                    INSERT INTO "AuditEntriesFts"("AuditEntriesFts", rowid, "DetailsJson", "ActorName", "DeviceName", "ResourceId", "Action")
                    VALUES ('delete', old."Id", old."DetailsJson", old."ActorName", old."DeviceName", old."ResourceId", old."Action");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEntriesFts_au" AFTER UPDATE ON "AuditEntries" BEGIN
                    INSERT INTO "AuditEntriesFts"("AuditEntriesFts", rowid, "DetailsJson", "ActorName", "DeviceName", "ResourceId", "Action")
                    VALUES ('delete', old."Id", old."DetailsJson", old."ActorName", old."DeviceName", old."ResourceId", old."Action");
                    INSERT INTO "AuditEntriesFts"(rowid, "DetailsJson", "ActorName", "DeviceName", "ResourceId", "Action")
                    VALUES (new."Id", new."DetailsJson", new."ActorName", new."DeviceName", new."ResourceId", new."Action");
                END;
                """);
            migrationBuilder.Sql("""INSERT INTO "AuditEntriesFts"("AuditEntriesFts") VALUES ('rebuild');""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "AuditEntriesFts_au";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "AuditEntriesFts_ad";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "AuditEntriesFts_ai";""");
            migrationBuilder.Sql("""DROP TABLE IF EXISTS "AuditEntriesFts";""");
        }
    }
}
