using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConfigPortal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CredentialFallbackData : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // ADR-004. Kept apart from CredentialFallback so that SQLite has finished rebuilding the Devices table first.
            // Each device's single credential profile becomes position 0 of its fallback list; the renamed column is
            // only a "worked last time" hint, which nothing has proven yet, so it is cleared.
            migrationBuilder.Sql(
                "INSERT INTO DeviceCredentialProfiles (TenantId, DeviceId, CredentialProfileId, Position) " +
                "SELECT TenantId, Id, LastWorkingCredentialProfileId, 0 FROM Devices WHERE LastWorkingCredentialProfileId IS NOT NULL;");
            migrationBuilder.Sql("UPDATE Devices SET LastWorkingCredentialProfileId = NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Position 0 goes back into the single column (CredentialFallback's Down renames it to CredentialProfileId).
            migrationBuilder.Sql(
                "UPDATE Devices SET LastWorkingCredentialProfileId = (SELECT x.CredentialProfileId FROM DeviceCredentialProfiles x " +
                "WHERE x.DeviceId = Devices.Id AND x.Position = 0);");
        }
    }
}
