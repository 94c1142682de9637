using System;
using ConfigPortal.Migrations.Sqlite.Quartz;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConfigPortal.Migrations.Sqlite.Migrations
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
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OwnerInstanceId",
                table: "BackupRuns",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ScheduledSlotUtc",
                table: "BackupRuns",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SlotAttempt",
                table: "BackupRuns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "BackupSchedules",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TenantId = table.Column<int>(type: "INTEGER", nullable: false),
                    Scope = table.Column<int>(type: "INTEGER", nullable: false),
                    GroupName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    DeviceId = table.Column<int>(type: "INTEGER", nullable: true),
                    ScopeKey = table.Column<string>(type: "TEXT", maxLength: 110, nullable: false),
                    CronExpression = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    TimeZoneId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    JitterSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
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
                unique: true);

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
