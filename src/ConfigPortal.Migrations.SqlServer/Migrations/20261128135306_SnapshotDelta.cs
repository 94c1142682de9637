using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ConfigPortal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class SnapshotDelta : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "BaseSnapshotId",
                table: "SnapshotContents",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_SnapshotContents_BaseSnapshotId",
                table: "SnapshotContents",
                column: "BaseSnapshotId");

            migrationBuilder.AddForeignKey(
                name: "FK_SnapshotContents_Snapshots_BaseSnapshotId",
                table: "SnapshotContents",
                column: "BaseSnapshotId",
                principalTable: "Snapshots",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_SnapshotContents_Snapshots_BaseSnapshotId",
                table: "SnapshotContents");

            migrationBuilder.DropIndex(
                name: "IX_SnapshotContents_BaseSnapshotId",
                table: "SnapshotContents");

            migrationBuilder.DropColumn(
                name: "BaseSnapshotId",
                table: "SnapshotContents");
        }
    }
}
