using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConfigPortal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class GridIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Devices_TenantId_Address",
                table: "Devices",
                columns: new[] { "TenantId", "Address" });

            migrationBuilder.CreateIndex(
                name: "IX_Devices_TenantId_SnapshotCount",
                table: "Devices",
                columns: new[] { "TenantId", "SnapshotCount" });

            migrationBuilder.CreateIndex(
                name: "IX_Devices_TenantId_Vendor_Name",
                table: "Devices",
                columns: new[] { "TenantId", "Vendor", "Name" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_TenantId_Outcome_Sequence",
                table: "AuditEntries",
                columns: new[] { "TenantId", "Outcome", "Sequence" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Devices_TenantId_Address",
                table: "Devices");

            migrationBuilder.DropIndex(
                name: "IX_Devices_TenantId_SnapshotCount",
                table: "Devices");

            migrationBuilder.DropIndex(
                name: "IX_Devices_TenantId_Vendor_Name",
                table: "Devices");

            migrationBuilder.DropIndex(
                name: "IX_AuditEntries_TenantId_Outcome_Sequence",
                table: "AuditEntries");
        }
    }
}
