using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Core.EntityFrameworkCore.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class AddInteractionType : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "type",
                table: "interactions",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "type",
                table: "interactions");
        }
    }
}
