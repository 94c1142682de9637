using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConfigPortal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class RunsGrid : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BulkBackupRequests",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    TenantId = table.Column<int>(type: "int", nullable: false),
                    Trigger = table.Column<int>(type: "int", nullable: false),
                    Group = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: true),
                    RequestedByUserId = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: true),
                    RequestedByName = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    ClientIp = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: true),
                    RequestedAtUtc = table.Column<DateTime>(type: "datetime2", nullable: false),
                    CorrelationId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Requested = table.Column<int>(type: "int", nullable: false),
                    Queued = table.Column<int>(type: "int", nullable: false),
                    Joined = table.Column<int>(type: "int", nullable: false),
                    Skipped = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BulkBackupRequests", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BulkBackupRequests_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "BulkBackupItems",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    TenantId = table.Column<int>(type: "int", nullable: false),
                    BulkRequestId = table.Column<long>(type: "bigint", nullable: false),
                    DeviceId = table.Column<int>(type: "int", nullable: false),
                    RunId = table.Column<long>(type: "bigint", nullable: true),
                    Joined = table.Column<bool>(type: "bit", nullable: false),
                    SkipReason = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BulkBackupItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BulkBackupItems_BackupRuns_RunId",
                        column: x => x.RunId,
                        principalTable: "BackupRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_BulkBackupItems_BulkBackupRequests_BulkRequestId",
                        column: x => x.BulkRequestId,
                        principalTable: "BulkBackupRequests",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_BulkBackupItems_Devices_DeviceId",
                        column: x => x.DeviceId,
                        principalTable: "Devices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Devices_TenantId_Group_Name",
                table: "Devices",
                columns: new[] { "TenantId", "Group", "Name" });

            migrationBuilder.CreateIndex(
                name: "IX_BackupRuns_TenantId_FailureKind_Id",
                table: "BackupRuns",
                columns: new[] { "TenantId", "FailureKind", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_BackupRuns_TenantId_Id",
                table: "BackupRuns",
                columns: new[] { "TenantId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_BackupRuns_TenantId_Outcome_Id",
                table: "BackupRuns",
                columns: new[] { "TenantId", "Outcome", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_BackupRuns_TenantId_QueuedAtUtc",
                table: "BackupRuns",
                columns: new[] { "TenantId", "QueuedAtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_BackupRuns_TenantId_Trigger_Id",
                table: "BackupRuns",
                columns: new[] { "TenantId", "Trigger", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_BulkBackupItems_BulkRequestId_RunId",
                table: "BulkBackupItems",
                columns: new[] { "BulkRequestId", "RunId" });

            migrationBuilder.CreateIndex(
                name: "IX_BulkBackupItems_DeviceId",
                table: "BulkBackupItems",
                column: "DeviceId");

            migrationBuilder.CreateIndex(
                name: "IX_BulkBackupItems_RunId",
                table: "BulkBackupItems",
                column: "RunId");

            migrationBuilder.CreateIndex(
                name: "IX_BulkBackupRequests_TenantId_Id",
                table: "BulkBackupRequests",
                columns: new[] { "TenantId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BulkBackupItems");

            migrationBuilder.DropTable(
                name: "BulkBackupRequests");

            migrationBuilder.DropIndex(
                name: "IX_Devices_TenantId_Group_Name",
                table: "Devices");

            migrationBuilder.DropIndex(
                name: "IX_BackupRuns_TenantId_FailureKind_Id",
                table: "BackupRuns");

            migrationBuilder.DropIndex(
                name: "IX_BackupRuns_TenantId_Id",
                table: "BackupRuns");

            migrationBuilder.DropIndex(
                name: "IX_BackupRuns_TenantId_Outcome_Id",
                table: "BackupRuns");

            migrationBuilder.DropIndex(
                name: "IX_BackupRuns_TenantId_QueuedAtUtc",
                table: "BackupRuns");

            migrationBuilder.DropIndex(
                name: "IX_BackupRuns_TenantId_Trigger_Id",
                table: "BackupRuns");
        }
    }
}
