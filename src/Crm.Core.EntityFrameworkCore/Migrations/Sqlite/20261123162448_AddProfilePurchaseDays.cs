using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Core.EntityFrameworkCore.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddProfilePurchaseDays : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "customer_profile_purchase_days",
                columns: table => new
                {
                    customer_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    id = table.Column<long>(type: "INTEGER", nullable: false),
                    dimension = table.Column<int>(type: "INTEGER", nullable: false),
                    key = table.Column<string>(type: "TEXT", nullable: false),
                    date = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_customer_profile_purchase_days", x => new { x.customer_id, x.id });
                    table.ForeignKey(
                        name: "FK_customer_profile_purchase_days_customer_profiles_customer_id",
                        column: x => x.customer_id,
                        principalTable: "customer_profiles",
                        principalColumn: "customer_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_customer_profile_purchase_days_dimension_key_date",
                table: "customer_profile_purchase_days",
                columns: new[] { "dimension", "key", "date" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "customer_profile_purchase_days");
        }
    }
}
