#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for tests and benchmarks.
#   scripts/pg.sh start DIR PORT   -> prints the DATABASE_URL of database "app"
#   scripts/pg.sh restart DIR      -> stops and starts it again (the fault-injection script uses it)
#   scripts/pg.sh stop DIR
#   scripts/pg.sh up DIR PORT      -> `make run`'s cluster: created once, kept, started if it is not running
# Tests trade durability for speed (fsync off); PG_SETTINGS overrides that (the benchmark keeps the defaults).
set -euo pipefail

cmd=${1:?start or stop}
dir=${2:?data folder}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "PostgreSQL server binaries not found (scripts/system-deps.sh installs them)" >&2; exit 1; }

as_pg() {
  # initdb refuses to run as root: run the server as the postgres user.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    port=${3:?port}
    rm -rf "$dir" && mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -U app -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log"
    settings=${PG_SETTINGS--c fsync=off -c synchronous_commit=off -c full_page_writes=off}
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
      "-k $dir -p $port -c listen_addresses=127.0.0.1 -c max_connections=200 $settings" \
      start >/dev/null
    "$bin/psql" -h "$dir" -p "$port" -U app -d postgres -qc 'CREATE DATABASE app' >/dev/null
    echo "postgres://app@127.0.0.1:$port/app"
    ;;
  up)
    port=${3:?port}
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      PG_SETTINGS="" "$0" start "$dir" "$port"
      exit
    fi
    if ! as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
        "-k $dir -p $port -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
    fi
    echo "postgres://app@127.0.0.1:$port/app"
    ;;
  restart)
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w restart >/dev/null
    ;;
  stop)
    [ -d "$dir/data" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start DIR PORT | up DIR PORT | restart DIR | stop DIR" >&2; exit 2 ;;
esac
