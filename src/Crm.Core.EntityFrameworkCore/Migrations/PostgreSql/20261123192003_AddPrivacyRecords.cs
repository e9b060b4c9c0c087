using Microsoft.EntityFrameworkCore.Migrations;
using NodaTime;

#nullable disable

namespace Crm.Core.EntityFrameworkCore.Migrations.PostgreSql
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
                    id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C"),
                    source_system = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    erased_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    state = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_erased_external_ids", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "erasure_records",
                columns: table => new
                {
                    customer_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    erased_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    state = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true, collation: "C")
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
