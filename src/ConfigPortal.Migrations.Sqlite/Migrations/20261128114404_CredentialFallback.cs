using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConfigPortal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CredentialFallback : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Devices_CredentialProfiles_CredentialProfileId",
                table: "Devices");

            migrationBuilder.DropIndex(
                name: "IX_Devices_CredentialProfileId",
                table: "Devices");

            migrationBuilder.RenameColumn(
                name: "CredentialProfileId",
                table: "Devices",
                newName: "LastWorkingCredentialProfileId");

            migrationBuilder.AddColumn<string>(
                name: "CustomDeleteFilters",
                table: "Tenants",
                type: "TEXT",
                maxLength: 8000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CustomIgnoreFilters",
                table: "Tenants",
                type: "TEXT",
                maxLength: 8000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CustomDeleteFilters",
                table: "Devices",
                type: "TEXT",
                maxLength: 8000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CustomIgnoreFilters",
                table: "Devices",
                type: "TEXT",
                maxLength: 8000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "OfferedHostKeyAtUtc",
                table: "Devices",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OfferedHostKeyFingerprint",
                table: "Devices",
                type: "TEXT",
                maxLength: 128,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "DeviceCredentialProfiles",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TenantId = table.Column<int>(type: "INTEGER", nullable: false),
                    DeviceId = table.Column<int>(type: "INTEGER", nullable: false),
                    CredentialProfileId = table.Column<int>(type: "INTEGER", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DeviceCredentialProfiles", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DeviceCredentialProfiles_CredentialProfiles_CredentialProfileId",
                        column: x => x.CredentialProfileId,
                        principalTable: "CredentialProfiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_DeviceCredentialProfiles_Devices_DeviceId",
                        column: x => x.DeviceId,
                        principalTable: "Devices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_DeviceCredentialProfiles_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DeviceCredentialProfiles_CredentialProfileId",
                table: "DeviceCredentialProfiles",
                column: "CredentialProfileId");

            migrationBuilder.CreateIndex(
                name: "IX_DeviceCredentialProfiles_DeviceId_CredentialProfileId",
                table: "DeviceCredentialProfiles",
                columns: new[] { "DeviceId", "CredentialProfileId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_DeviceCredentialProfiles_DeviceId_Position",
                table: "DeviceCredentialProfiles",
                columns: new[] { "DeviceId", "Position" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_DeviceCredentialProfiles_TenantId",
                table: "DeviceCredentialProfiles",
                column: "TenantId");

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

            migrationBuilder.DropTable(
                name: "DeviceCredentialProfiles");

            migrationBuilder.DropColumn(
                name: "CustomDeleteFilters",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "CustomIgnoreFilters",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "CustomDeleteFilters",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "CustomIgnoreFilters",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "OfferedHostKeyAtUtc",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "OfferedHostKeyFingerprint",
                table: "Devices");

            migrationBuilder.RenameColumn(
                name: "LastWorkingCredentialProfileId",
                table: "Devices",
                newName: "CredentialProfileId");

            migrationBuilder.CreateIndex(
                name: "IX_Devices_CredentialProfileId",
                table: "Devices",
                column: "CredentialProfileId");

            migrationBuilder.AddForeignKey(
                name: "FK_Devices_CredentialProfiles_CredentialProfileId",
                table: "Devices",
                column: "CredentialProfileId",
                principalTable: "CredentialProfiles",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }
    }
}
