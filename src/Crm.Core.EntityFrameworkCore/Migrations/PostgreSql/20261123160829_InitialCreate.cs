using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using NodaTime;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Crm.Core.EntityFrameworkCore.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "customer_lifecycles",
                columns: table => new
                {
                    customer_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    current_rank = table.Column<int>(type: "integer", nullable: false),
                    highest_rank = table.Column<int>(type: "integer", nullable: false),
                    engagement_status = table.Column<int>(type: "integer", nullable: false),
                    evaluated_on = table.Column<LocalDate>(type: "date", nullable: true),
                    state = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_customer_lifecycles", x => x.customer_id);
                });

            migrationBuilder.CreateTable(
                name: "customer_lookup_keys",
                columns: table => new
                {
                    customer_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    system = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    value = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_customer_lookup_keys", x => new { x.customer_id, x.kind, x.system, x.value });
                });

            migrationBuilder.CreateTable(
                name: "customer_profiles",
                columns: table => new
                {
                    customer_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    lifecycle_model = table.Column<string>(type: "text", nullable: true),
                    lifecycle_stage = table.Column<string>(type: "text", nullable: true),
                    lifecycle_stage_rank = table.Column<int>(type: "integer", nullable: true),
                    highest_lifecycle_stage = table.Column<string>(type: "text", nullable: true),
                    engagement_status = table.Column<int>(type: "integer", nullable: true),
                    loyalty_programme = table.Column<string>(type: "text", nullable: true),
                    loyalty_tier = table.Column<string>(type: "text", nullable: true),
                    loyalty_tier_rank = table.Column<int>(type: "integer", nullable: true),
                    loyalty_points = table.Column<long>(type: "bigint", nullable: true),
                    loyalty_pending_points = table.Column<long>(type: "bigint", nullable: true),
                    loyalty_lifetime_points = table.Column<long>(type: "bigint", nullable: true),
                    is_organisation = table.Column<bool>(type: "boolean", nullable: false),
                    country = table.Column<string>(type: "text", nullable: true),
                    city = table.Column<string>(type: "text", nullable: true),
                    language = table.Column<string>(type: "text", nullable: true),
                    owner = table.Column<string>(type: "text", nullable: true),
                    team = table.Column<string>(type: "text", nullable: true),
                    birth_date = table.Column<LocalDate>(type: "date", nullable: true),
                    birth_month_day = table.Column<int>(type: "integer", nullable: true),
                    registered_on = table.Column<LocalDate>(type: "date", nullable: true),
                    registration_month_day = table.Column<int>(type: "integer", nullable: true),
                    has_email = table.Column<bool>(type: "boolean", nullable: false),
                    has_phone = table.Column<bool>(type: "boolean", nullable: false),
                    has_postal_address = table.Column<bool>(type: "boolean", nullable: false),
                    consents = table.Column<List<string>>(type: "text[]", nullable: false),
                    tags = table.Column<List<string>>(type: "text[]", nullable: false),
                    active_holding_count = table.Column<int>(type: "integer", nullable: false),
                    recency_score = table.Column<int>(type: "integer", nullable: true),
                    frequency_score = table.Column<int>(type: "integer", nullable: true),
                    monetary_score = table.Column<int>(type: "integer", nullable: true),
                    rfm_segment = table.Column<string>(type: "text", nullable: true),
                    purchase_count = table.Column<int>(type: "integer", nullable: false),
                    total_spent = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    average_order_value = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    currency = table.Column<string>(type: "text", nullable: true),
                    first_purchase_date = table.Column<LocalDate>(type: "date", nullable: true),
                    last_purchase_date = table.Column<LocalDate>(type: "date", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_customer_profiles", x => x.customer_id);
                });

            migrationBuilder.CreateTable(
                name: "customers",
                columns: table => new
                {
                    customer_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    birth_date = table.Column<LocalDate>(type: "date", nullable: true),
                    owner_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    team_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    created_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    state = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_customers", x => x.customer_id);
                });

            migrationBuilder.CreateTable(
                name: "interactions",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    customer_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    channel = table.Column<int>(type: "integer", nullable: false),
                    direction = table.Column<int>(type: "integer", nullable: false),
                    occurred_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    state = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_interactions", x => new { x.customer_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "loyalty_accounts",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(401)", maxLength: 401, nullable: false),
                    customer_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    opened_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    state = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_loyalty_accounts", x => new { x.customer_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "purchases",
                columns: table => new
                {
                    transaction_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    customer_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    occurred_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    channel = table.Column<int>(type: "integer", nullable: false),
                    original_transaction_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true, collation: "C"),
                    lines = table.Column<string>(type: "text", nullable: false),
                    total_amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    total_currency = table.Column<string>(type: "character(3)", fixedLength: true, maxLength: 3, nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_purchases", x => new { x.customer_id, x.transaction_id });
                });

            migrationBuilder.CreateTable(
                name: "segment_members",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(401)", maxLength: 401, nullable: false),
                    customer_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    since = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    segment_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    state = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_segment_members", x => new { x.customer_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "segments",
                columns: table => new
                {
                    segment_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    last_refreshed_at = table.Column<Instant>(type: "timestamp with time zone", nullable: true),
                    state = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_segments", x => x.segment_id);
                });

            migrationBuilder.CreateTable(
                name: "customer_profile_attributes",
                columns: table => new
                {
                    customer_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    text = table.Column<string>(type: "text", nullable: true),
                    number = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: true),
                    flag = table.Column<bool>(type: "boolean", nullable: true),
                    date = table.Column<LocalDate>(type: "date", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_customer_profile_attributes", x => new { x.customer_id, x.id });
                    table.ForeignKey(
                        name: "FK_customer_profile_attributes_customer_profiles_customer_id",
                        column: x => x.customer_id,
                        principalTable: "customer_profiles",
                        principalColumn: "customer_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "customer_profile_holdings",
                columns: table => new
                {
                    customer_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    product_id = table.Column<string>(type: "text", nullable: false),
                    category = table.Column<string>(type: "text", nullable: false),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    opened_on = table.Column<LocalDate>(type: "date", nullable: true),
                    closed_on = table.Column<LocalDate>(type: "date", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_customer_profile_holdings", x => new { x.customer_id, x.id });
                    table.ForeignKey(
                        name: "FK_customer_profile_holdings_customer_profiles_customer_id",
                        column: x => x.customer_id,
                        principalTable: "customer_profiles",
                        principalColumn: "customer_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "customer_profile_purchase_stats",
                columns: table => new
                {
                    customer_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    dimension = table.Column<int>(type: "integer", nullable: false),
                    key = table.Column<string>(type: "text", nullable: false),
                    count = table.Column<int>(type: "integer", nullable: false),
                    total = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    first_date = table.Column<LocalDate>(type: "date", nullable: false),
                    last_date = table.Column<LocalDate>(type: "date", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_customer_profile_purchase_stats", x => new { x.customer_id, x.id });
                    table.ForeignKey(
                        name: "FK_customer_profile_purchase_stats_customer_profiles_customer_~",
                        column: x => x.customer_id,
                        principalTable: "customer_profiles",
                        principalColumn: "customer_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_customer_lifecycles_tenant_id",
                table: "customer_lifecycles",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "IX_customer_lookup_keys_kind_system_value",
                table: "customer_lookup_keys",
                columns: new[] { "kind", "system", "value" });

            migrationBuilder.CreateIndex(
                name: "IX_customer_profile_attributes_name",
                table: "customer_profile_attributes",
                column: "name");

            migrationBuilder.CreateIndex(
                name: "IX_customer_profile_purchase_stats_dimension_key",
                table: "customer_profile_purchase_stats",
                columns: new[] { "dimension", "key" });

            migrationBuilder.CreateIndex(
                name: "IX_customer_profiles_birth_month_day",
                table: "customer_profiles",
                column: "birth_month_day");

            migrationBuilder.CreateIndex(
                name: "IX_customer_profiles_last_purchase_date",
                table: "customer_profiles",
                column: "last_purchase_date");

            migrationBuilder.CreateIndex(
                name: "IX_customer_profiles_registration_month_day",
                table: "customer_profiles",
                column: "registration_month_day");

            migrationBuilder.CreateIndex(
                name: "IX_customer_profiles_rfm_segment",
                table: "customer_profiles",
                column: "rfm_segment");

            migrationBuilder.CreateIndex(
                name: "IX_customers_tenant_id",
                table: "customers",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "IX_customers_updated_at",
                table: "customers",
                column: "updated_at");

            migrationBuilder.CreateIndex(
                name: "IX_interactions_customer_id_occurred_at",
                table: "interactions",
                columns: new[] { "customer_id", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "IX_interactions_id",
                table: "interactions",
                column: "id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_interactions_tenant_id",
                table: "interactions",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "IX_loyalty_accounts_id",
                table: "loyalty_accounts",
                column: "id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_loyalty_accounts_tenant_id",
                table: "loyalty_accounts",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "IX_purchases_customer_id_occurred_at",
                table: "purchases",
                columns: new[] { "customer_id", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "IX_purchases_tenant_id",
                table: "purchases",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "IX_purchases_transaction_id",
                table: "purchases",
                column: "transaction_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_segment_members_id",
                table: "segment_members",
                column: "id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_segment_members_segment_id",
                table: "segment_members",
                column: "segment_id");

            migrationBuilder.CreateIndex(
                name: "IX_segment_members_tenant_id",
                table: "segment_members",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "IX_segments_tenant_id",
                table: "segments",
                column: "tenant_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "customer_lifecycles");

            migrationBuilder.DropTable(
                name: "customer_lookup_keys");

            migrationBuilder.DropTable(
                name: "customer_profile_attributes");

            migrationBuilder.DropTable(
                name: "customer_profile_holdings");

            migrationBuilder.DropTable(
                name: "customer_profile_purchase_stats");

            migrationBuilder.DropTable(
                name: "customers");

            migrationBuilder.DropTable(
                name: "interactions");

            migrationBuilder.DropTable(
                name: "loyalty_accounts");

            migrationBuilder.DropTable(
                name: "purchases");

            migrationBuilder.DropTable(
                name: "segment_members");

            migrationBuilder.DropTable(
                name: "segments");

            migrationBuilder.DropTable(
                name: "customer_profiles");
        }
    }
}
