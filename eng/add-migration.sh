#!/usr/bin/env bash
# Adds a migration for both shipped providers after a change to the EF Core model (a new aggregate, a query column,
# a profile field). Usage: eng/add-migration.sh AddLoyaltyTierColumn
# The test Migrations_are_complete_and_apply_to_an_empty_database fails until this has been run.
set -euo pipefail
name=${1:?usage: eng/add-migration.sh MigrationName}
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
project=src/Crm.Core.EntityFrameworkCore
dotnet ef migrations add "$name" --project "$project" --startup-project "$project" --context SqliteCrmDbContext --output-dir Migrations/Sqlite
dotnet ef migrations add "$name" --project "$project" --startup-project "$project" --context NpgsqlCrmDbContext --output-dir Migrations/PostgreSql
