#!/usr/bin/env bash
# The three SQL files of the client's manual, from a freshly migrated database filled with the demo data:
#   FOLDER/structure.sql         the schema (tables, constraints, indexes, sequences) and the record of the
#                                migrations that made it: `migrate` after it has nothing to do
#   FOLDER/data.sql              the demo data only (load it after structure.sql)
#   FOLDER/dataAndStructure.sql  both at once
#   scripts/sql_dumps.sh FOLDER          (`make dumps` writes them to dumps/)
# None of them is ever loaded into production: its schema comes from the migrations, its data from the
# restaurants.
# The database is a throwaway one, created on the server of DATABASE_URL when that is PostgreSQL (which must
# let its user CREATE DATABASE), or on a temporary cluster started here; it is dropped at the end. The files
# load with `psql -f` into an empty database, owned by whoever loads them.
set -euo pipefail
cd "$(dirname "$0")/.."

folder=${1:?usage: scripts/sql_dumps.sh FOLDER}
mkdir -p "$folder"
folder=$(cd "$folder" && pwd)
python=${PYTHON:-.venv/bin/python}

cleanup=()
on_exit() { for command in "${cleanup[@]}"; do eval "$command" || true; done; }
trap on_exit EXIT

case "${DATABASE_URL:-}" in
  postgres://* | postgresql://*) server=${DATABASE_URL%%\?*}; server=${server%/*} ;;
  *)
    pgdir=$(mktemp -d /tmp/ocpizza-dumps-pg-XXXXXX)
    port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cleanup+=("scripts/pg.sh stop '$pgdir'")
    url=$(scripts/pg.sh start "$pgdir" "$port")
    server=${url%/*}
    ;;
esac

# DUMPS_DATABASE names the throwaway database (the tests use it to check that theirs is gone).
database=${DUMPS_DATABASE:-ocpizza_dumps_$$_$(date +%s)}
psql "$server/postgres" -qc "CREATE DATABASE $database" >/dev/null
cleanup=("psql '$server/postgres' -qc 'DROP DATABASE IF EXISTS $database WITH (FORCE)' >/dev/null" "${cleanup[@]}")
media=$(mktemp -d)
cleanup+=("rm -rf '$media'")

# A development configuration whatever the caller's: demo data never goes to a real bucket or mailbox.
env -u AWS_STORAGE_BUCKET_NAME -u SENTRY_DSN -u EMAIL_URL -u REDIS_URL \
  DATABASE_URL="$server/$database" DEBUG=true MEDIA_ROOT="$media" \
  sh -c "'$python' manage.py migrate --noinput -v0 && '$python' manage.py load_demo >/dev/null"

options=(--no-owner --no-privileges)
# The rows of django_migrations describe the schema, not the demo: they go with the structure, so that a
# database made from structure.sql alone is one `migrate` knows.
pg_dump "${options[@]}" --schema-only --file="$folder/structure.sql" "$server/$database"
pg_dump "${options[@]}" --data-only --table=django_migrations "$server/$database" >>"$folder/structure.sql"
# The task queue's rows (procrastinate_*: the demo orders' emails waiting for a worker) are not data of the
# manual, and their insert triggers need the other queue tables loaded first: structure only.
pg_dump "${options[@]}" --data-only --exclude-table-data=django_migrations \
  --exclude-table-data='procrastinate_*' --file="$folder/data.sql" "$server/$database"
pg_dump "${options[@]}" --exclude-table-data='procrastinate_*' --file="$folder/dataAndStructure.sql" \
  "$server/$database"
printf '%s\n' "$folder/structure.sql" "$folder/data.sql" "$folder/dataAndStructure.sql"
