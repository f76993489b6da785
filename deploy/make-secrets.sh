#!/usr/bin/env bash
# Writes the secret files docker-compose.yml mounts under /run/secrets (never committed).
set -euo pipefail
dir="$(dirname "$0")/secrets"
mkdir -p "$dir"
random() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }
write() { [ -s "$dir/$1" ] || printf '%s' "$2" > "$dir/$1"; }
write postgres_password "$(random)"
write redis_password "$(random)"
write cohort_admin_token "$(random)"
write cohort_secret_key "$(random)"
pg=$(cat "$dir/postgres_password"); rd=$(cat "$dir/redis_password")
for svc in registry scheduler notifier; do
  write "${svc}_database_url" "postgresql://cohort:${pg}@postgres:5432/cohort_${svc}"
done
write cohort_redis_url "redis://:${rd}@redis:6379/0"
chmod 600 "$dir"/*
echo "secrets written to $dir"
