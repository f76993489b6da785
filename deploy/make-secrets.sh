#!/usr/bin/env bash
# Writes the secret files docker-compose.yml mounts under /run/secrets (never committed).
#
# Compose bind-mounts each file into its containers keeping the owner and mode it has here, and
# Cohort's containers run as uid 10001: the files are therefore world-readable (0644), and the
# folder holding them is private to you (0700), so on this host only you and root can reach them.
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)/secrets"
mkdir -p "$dir"
chmod 700 "$dir"
random() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }
write() { [ -s "$dir/$1" ] || printf '%s' "$2" > "$dir/$1"; }
write postgres_password "$(random)"
write redis_password "$(random)"
write cohort_admin_token "$(random)"
write cohort_secret_key "$(random)"
rd=$(cat "$dir/redis_password")
# One PostgreSQL role per service, owning only its own database (deploy/postgres/init-databases.sh).
for svc in accounts registry scheduler notifier; do
  write "${svc}_db_password" "$(random)"
  pw=$(cat "$dir/${svc}_db_password")
  write "${svc}_database_url" "postgresql://cohort_${svc}:${pw}@postgres:5432/cohort_${svc}"
done
write cohort_redis_url "redis://:${rd}@redis:6379/0"
chmod 644 "$dir"/*
[ ! -e "$dir/README.md" ] || chmod 644 "$dir/README.md"
echo "secrets written to $dir (the operator token is in $dir/cohort_admin_token)"
