#!/bin/sh
# Repeated blocks in the application code only (docs/architecture.md, "Repeated code"): copies the files git
# tracks (and the untracked ones it does not ignore) into a temporary folder, tests, migrations, .venv,
# staticfiles and locale aside, and runs `duplicates` there with its longest list.
# Use: scripts/duplicates_app.sh [--most N]   (the first line gives the full count of pairs)
set -eu
root=$(git rev-parse --show-toplevel)
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
cd "$root"
git ls-files -co --exclude-standard \
  | grep -Ev '(^|/)(tests|migrations|\.venv|staticfiles|locale)/' \
  | grep -Ev '(^|/)(test_[^/]*|conftest)\.py$' \
  | while read -r f; do
      [ -f "$f" ] && mkdir -p "$copy/$(dirname "$f")" && cp "$f" "$copy/$f"
    done
duplicates --repo "$copy" --most 200 --seconds 120 "$@"
