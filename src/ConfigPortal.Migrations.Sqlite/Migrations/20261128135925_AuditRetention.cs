using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConfigPortal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AuditRetention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AuditEntries_TenantId_TimestampUtc",
                table: "AuditEntries");

            migrationBuilder.AddColumn<int>(
                name: "AuditRetentionDays",
                table: "Tenants",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_TenantId_TimestampUtc_Sequence",
                table: "AuditEntries",
                columns: new[] { "TenantId", "TimestampUtc", "Sequence" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
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
