using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Core.EntityFrameworkCore.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddTenantIsolation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_customer_lookup_keys_kind_system_value",
                table: "customer_lookup_keys");

            migrationBuilder.AddColumn<string>(
                name: "tenant_id",
                table: "customer_profiles",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "tenant_id",
                table: "customer_lookup_keys",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            // Existing rows take their customer's tenant, so that switching tenancy on later keeps them visible.
            migrationBuilder.Sql("UPDATE customer_lookup_keys SET tenant_id = (SELECT c.tenant_id FROM customers c WHERE c.customer_id = customer_lookup_keys.customer_id);");
            migrationBuilder.Sql("UPDATE customer_profiles SET tenant_id = (SELECT c.tenant_id FROM customers c WHERE c.customer_id = customer_profiles.customer_id);");

            migrationBuilder.CreateIndex(
                name: "IX_customer_profiles_tenant_id",
                table: "customer_profiles",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "IX_customer_lookup_keys_kind_system_value_tenant_id",
                table: "customer_lookup_keys",
                columns: new[] { "kind", "system", "value", "tenant_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_customer_profiles_tenant_id",
                table: "customer_profiles");

            migrationBuilder.DropIndex(
                name: "IX_customer_lookup_keys_kind_system_value_tenant_id",
                table: "customer_lookup_keys");

            migrationBuilder.DropColumn(
                name: "tenant_id",
                table: "customer_profiles");

            migrationBuilder.DropColumn(
                name: "tenant_id",
                table: "customer_lookup_keys");

            migrationBuilder.CreateIndex(
                name: "IX_customer_lookup_keys_kind_system_value",
                table: "customer_lookup_keys",
                columns: new[] { "kind", "system", "value" });
        }
    }
}
