#!/usr/bin/env bash
# The full test suite on PostgreSQL: DATABASE_URL when set, else a throwaway cluster started and stopped here.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/system-deps.sh
export DJANGO_SETTINGS_MODULE=ocpizza.settings
export TMPDIR="$PWD/.tmp" && mkdir -p "$TMPDIR"

if [ -z "${DATABASE_URL:-}" ]; then
  pgdir="/tmp/ocpizza-test-pg-$$"
  port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  trap 'scripts/pg.sh stop "$pgdir"' EXIT
  DATABASE_URL=$(scripts/pg.sh start "$pgdir" "$port")
  export DATABASE_URL
fi

.venv/bin/python manage.py makemigrations --check --dry-run
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python scripts/translations_check.py
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
# pytest exits 5 when it collected nothing: that is a failure, not a pass.
[ $status -eq 5 ] && echo "No test ran." >&2
exit $status
