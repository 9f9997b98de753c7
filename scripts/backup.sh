#!/usr/bin/env bash
# A backup of the database of DATABASE_URL: pg_dump's custom format (compressed, restorable table by table
# with pg_restore), in a timestamped file of the folder given. Prints the file's path.
#   DATABASE_URL=postgres://... scripts/backup.sh FOLDER
# pg_dump must be of the server's major version or newer (Heroku Postgres: `heroku pg:info` shows it).
set -euo pipefail

folder=${1:?usage: scripts/backup.sh FOLDER (DATABASE_URL names the database)}
url=${DATABASE_URL:?DATABASE_URL must name the database to back up}
case "$url" in
  postgres://* | postgresql://*) ;;
  *) echo "DATABASE_URL is not a PostgreSQL URL" >&2; exit 2 ;;
esac

mkdir -p "$folder"
name=$(printf '%s' "${url%%\?*}" | sed -E 's#.*/##')
file="$folder/ocpizza-${name:-db}-$(date -u +%Y%m%dT%H%M%SZ).dump"
# Written under a temporary name: a failed or interrupted dump never looks like a finished backup.
pg_dump --format=custom --no-owner --no-privileges --file="$file.partial" "$url"
mv "$file.partial" "$file"
echo "$file"
