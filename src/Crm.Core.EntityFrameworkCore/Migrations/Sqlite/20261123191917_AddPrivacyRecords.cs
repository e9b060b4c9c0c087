using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Core.EntityFrameworkCore.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddPrivacyRecords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "erased_external_ids",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    source_system = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    erased_at = table.Column<long>(type: "INTEGER", nullable: false),
                    state = table.Column<string>(type: "TEXT", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_erased_external_ids", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "erasure_records",
                columns: table => new
                {
                    customer_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    erased_at = table.Column<long>(type: "INTEGER", nullable: false),
                    state = table.Column<string>(type: "TEXT", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false),
                    tenant_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_erasure_records", x => x.customer_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_erased_external_ids_tenant_id",
                table: "erased_external_ids",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "IX_erasure_records_tenant_id",
                table: "erasure_records",
                column: "tenant_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "erased_external_ids");

            migrationBuilder.DropTable(
                name: "erasure_records");
        }
    }
}
