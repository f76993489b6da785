#!/usr/bin/env bash
# Runs once, when the PostgreSQL volume is first created: one role and one database per service.
# Each role owns only its own database and cannot connect to the others; the superuser is kept
# for this script and for backups.
set -euo pipefail
prefix="${COHORT_DB_PREFIX:-cohort}"
secrets="${COHORT_SECRETS_DIR:-/run/secrets}"
for service in accounts registry scheduler notifier; do
  name="${prefix}_${service}"
  password="$(cat "$secrets/${service}_db_password")"
  psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    -v name="$name" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
  echo "created role and database $name"
done
