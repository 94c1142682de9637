using System;
using ConfigPortal.Migrations.SqlServer.Quartz;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConfigPortal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class Schedules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_BackupRuns_DeviceId",
                table: "BackupRuns");

            migrationBuilder.AddColumn<DateTime>(
                name: "LeaseExpiresAtUtc",
                table: "BackupRuns",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OwnerInstanceId",
                table: "BackupRuns",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ScheduledSlotUtc",
                table: "BackupRuns",
                type: "datetime2",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SlotAttempt",
                table: "BackupRuns",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "BackupSchedules",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    TenantId = table.Column<int>(type: "int", nullable: false),
                    Scope = table.Column<int>(type: "int", nullable: false),
                    GroupName = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: true),
                    DeviceId = table.Column<int>(type: "int", nullable: true),
                    ScopeKey = table.Column<string>(type: "nvarchar(110)", maxLength: 110, nullable: false),
                    CronExpression = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    TimeZoneId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    JitterSeconds = table.Column<int>(type: "int", nullable: false),
                    Enabled = table.Column<bool>(type: "bit", nullable: false),
                    CreatedAtUtc = table.Column<DateTime>(type: "datetime2", nullable: false),
                    UpdatedAtUtc = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BackupSchedules", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BackupSchedules_Devices_DeviceId",
                        column: x => x.DeviceId,
                        principalTable: "Devices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BackupRuns_DeviceId_ScheduledSlotUtc_SlotAttempt",
                table: "BackupRuns",
                columns: new[] { "DeviceId", "ScheduledSlotUtc", "SlotAttempt" },
                unique: true,
                filter: "[ScheduledSlotUtc] IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_BackupRuns_LeaseExpiresAtUtc",
                table: "BackupRuns",
                column: "LeaseExpiresAtUtc");

            migrationBuilder.CreateIndex(
                name: "IX_BackupRuns_ScheduledSlotUtc",
                table: "BackupRuns",
                column: "ScheduledSlotUtc");

            migrationBuilder.CreateIndex(
                name: "IX_BackupSchedules_DeviceId",
                table: "BackupSchedules",
                column: "DeviceId");

            migrationBuilder.CreateIndex(
                name: "IX_BackupSchedules_TenantId_ScopeKey",
                table: "BackupSchedules",
                columns: new[] { "TenantId", "ScopeKey" },
                unique: true);

            // The Quartz.NET job store (clustered scheduler, ADR-011): the script Quartz ships for this provider.
            foreach (var statement in QuartzSchema.Statements())
                migrationBuilder.Sql(statement);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in QuartzSchema.Tables)
                migrationBuilder.Sql($"DROP TABLE IF EXISTS {table};");

            migrationBuilder.DropTable(
                name: "BackupSchedules");

            migrationBuilder.DropIndex(
                name: "IX_BackupRuns_DeviceId_ScheduledSlotUtc_SlotAttempt",
                table: "BackupRuns");

            migrationBuilder.DropIndex(
                name: "IX_BackupRuns_LeaseExpiresAtUtc",
                table: "BackupRuns");

            migrationBuilder.DropIndex(
                name: "IX_BackupRuns_ScheduledSlotUtc",
                table: "BackupRuns");

            migrationBuilder.DropColumn(
                name: "LeaseExpiresAtUtc",
                table: "BackupRuns");

            migrationBuilder.DropColumn(
                name: "OwnerInstanceId",
                table: "BackupRuns");

            migrationBuilder.DropColumn(
                name: "ScheduledSlotUtc",
                table: "BackupRuns");

            migrationBuilder.DropColumn(
                name: "SlotAttempt",
                table: "BackupRuns");

            migrationBuilder.CreateIndex(
                name: "IX_BackupRuns_DeviceId",
                table: "BackupRuns",
                column: "DeviceId");
        }
    }
}
