using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Core.EntityFrameworkCore.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddProfileConsentPeriods : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "customer_profile_consents",
                columns: table => new
                {
                    customer_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    id = table.Column<long>(type: "INTEGER", nullable: false),
                    purpose = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    channel = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    from = table.Column<long>(type: "INTEGER", nullable: false),
                    until = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_customer_profile_consents", x => new { x.customer_id, x.id });
                    table.ForeignKey(
                        name: "FK_customer_profile_consents_customer_profiles_customer_id",
                        column: x => x.customer_id,
                        principalTable: "customer_profiles",
                        principalColumn: "customer_id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "customer_profile_consents");
        }
    }
}
