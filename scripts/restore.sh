#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh (or `heroku pg:backups:download`) into the database TARGET_URL.
#   scripts/restore.sh [--force] BACKUP_FILE TARGET_URL
# Disaster recovery only, into a new, empty database: it drops and recreates every table it restores
# (--clean --if-exists), so whatever was written there since the backup is gone. It refuses a target that
# is the production database ($PRODUCTION_DATABASE_URL, or DATABASE_URL on a Heroku dyno) unless --force
# is given. It asks nothing: safe to run from a script. docs/operations.md says when and how.
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

protected=()
[ -n "${PRODUCTION_DATABASE_URL:-}" ] && protected+=("$PRODUCTION_DATABASE_URL")
[ -n "${DYNO:-}" ] && [ -n "${DATABASE_URL:-}" ] && protected+=("$DATABASE_URL")
for url in ${protected[@]+"${protected[@]}"}; do
  if [ "$(where "$url")" = "$(where "$target")" ] && [ $force -eq 0 ]; then
    echo "Refused: $(where "$target") is the production database. Restore into a new database and switch" \
      "to it (docs/operations.md); --force overrides this check." >&2
    exit 3
  fi
done

# One transaction: the target ends up either fully restored or untouched.
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --dbname="$target" "$backup"
echo "Restored $backup into $(where "$target")"
