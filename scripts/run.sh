#!/usr/bin/env bash
# `make run`: the local PostgreSQL (created once under .tmp/run-pg, kept between runs), the schema, the demo
# data, then the site on http://127.0.0.1:8000. The settings' defaults point at this cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/system-deps.sh
mkdir -p .tmp
DATABASE_URL=$(scripts/pg.sh up "$PWD/.tmp/run-pg" 54329)
export DATABASE_URL
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_demo
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
