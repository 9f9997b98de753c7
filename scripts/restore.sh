#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh (or `heroku pg:backups:download`) into the database TARGET_URL.
#   scripts/restore.sh [--force] BACKUP_FILE TARGET_URL
# Disaster recovery only, into a new, empty database: it drops and recreates every table it restores
# (--clean --if-exists), so whatever was written there since the backup is gone. It refuses a target that
# is the production database ($PRODUCTION_DATABASE_URL, or DATABASE_URL on a Heroku dyno), by its URL or by
# what the server answers (however the URL is written), unless --force is given. It asks nothing: safe to run from a script. docs/operations.md says when and how.
set -euo pipefail

force=0
if [ "${1:-}" = "--force" ]; then force=1; shift; fi
backup=${1:?usage: scripts/restore.sh [--force] BACKUP_FILE TARGET_URL}
target=${2:?usage: scripts/restore.sh [--force] BACKUP_FILE TARGET_URL}
[ -f "$backup" ] || { echo "No backup file at $backup" >&2; exit 2; }
case "$target" in
  postgres://* | postgresql://*) ;;
  *) echo "TARGET_URL is not a PostgreSQL URL" >&2; exit 2 ;;
esac

# host:port/database of a URL, whatever its spelling (scheme, credentials, parameters).
where() {
  local rest=${1#*://}
  rest=${rest%%\?*}
  rest=${rest##*@}
  local hostport=${rest%%/*} db=${rest#*/}
  [ "$hostport" = "$rest" ] && db=""
  case "$hostport" in *:*) ;; *) hostport="$hostport:5432" ;; esac
  printf '%s/%s' "$(printf '%s' "$hostport" | tr '[:upper:]' '[:lower:]')" "$db"
}

# What the server itself says the database is: its name and the cluster's identifier (or, for a role that may
# not read pg_control_system(), the server's address and port). "localhost" and "127.0.0.1", a host name and
# its address, all give the same answer. Empty when the database cannot be reached.
identity() {
  PGCONNECT_TIMEOUT=10 psql -XAtq -d "$1" -c \
    "SELECT current_database() || ' in cluster ' || system_identifier FROM pg_control_system()" 2>/dev/null ||
    PGCONNECT_TIMEOUT=10 psql -XAtq -d "$1" -c \
      "SELECT current_database() || ' on ' || coalesce(host(inet_server_addr()), 'socket') || ':' || inet_server_port()" \
      2>/dev/null || true
}

protected=()
[ -n "${PRODUCTION_DATABASE_URL:-}" ] && protected+=("$PRODUCTION_DATABASE_URL")
[ -n "${DYNO:-}" ] && [ -n "${DATABASE_URL:-}" ] && protected+=("$DATABASE_URL")
target_identity=$( [ ${#protected[@]} -gt 0 ] && [ $force -eq 0 ] && identity "$target" || true)
for url in ${protected[@]+"${protected[@]}"}; do
  same=0
  [ "$(where "$url")" = "$(where "$target")" ] && same=1
  if [ $same -eq 0 ] && [ -n "$target_identity" ] && [ "$(identity "$url")" = "$target_identity" ]; then same=1; fi
  if [ $same -eq 1 ] && [ $force -eq 0 ]; then
    echo "Refused: $(where "$target") is the production database. Restore into a new database and switch" \
      "to it (docs/operations.md); --force overrides this check." >&2
    exit 3
  fi
done

# One transaction: the target ends up either fully restored or untouched.
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --dbname="$target" "$backup"
echo "Restored $backup into $(where "$target")"
