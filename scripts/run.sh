#!/usr/bin/env bash
# `make run`: the local PostgreSQL (created once under .tmp/run-pg, kept between runs), the schema, the demo
# data, then the site on http://127.0.0.1:8000 and the task worker beside it, both started by honcho from
# Procfile.dev as Heroku starts the Procfile's (emails appear in this console, printed by the worker).
# The settings' defaults point at this cluster. RUN_PORT and RUN_PG_PORT choose other ports; DEMO_RESET=1
# loads the demo afresh.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/system-deps.sh
mkdir -p .tmp
DATABASE_URL=$(scripts/pg.sh up "$PWD/.tmp/run-pg" "${RUN_PG_PORT:-54329}")
export DATABASE_URL
.venv/bin/python manage.py migrate --noinput
# DEMO_RESET=1 starts the demo afresh (its live orders placed now), deleting the demo restaurants' orders.
.venv/bin/python manage.py load_demo ${DEMO_RESET:+--reset}
# Each line as it is written, so an email shows the moment the worker sends it.
export PYTHONUNBUFFERED=1 PATH="$PWD/.venv/bin:$PATH"
# Links in the emails point at this site.
export SITE_URL="${SITE_URL:-http://127.0.0.1:${RUN_PORT:-8000}}"
exec .venv/bin/honcho --procfile Procfile.dev start --port "${RUN_PORT:-8000}"
