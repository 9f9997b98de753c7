#!/usr/bin/env bash
# Installs the system packages the tests need (PostgreSQL server binaries, Chromium, gettext) when missing.
# WITH_WRK=1 adds wrk (`make bench`, `make faults`); WITH_DYNOS=1 adds what stands in for Heroku's router,
# connection pooler and Redis when several web processes run side by side (`make bench INSTANCES=2`):
# HAProxy, PgBouncer and redis-server, none of them started as a service (bench/dynos.py starts its own).
# Needs root and apt; elsewhere it only says what is missing.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
[ -n "${WITH_WRK:-}" ] && ! command -v wrk >/dev/null 2>&1 && missing+=(wrk)
if [ -n "${WITH_DYNOS:-}" ]; then
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
  command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
fi

[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages (install them with your package manager): ${missing[*]}" >&2
  exit 1
fi
