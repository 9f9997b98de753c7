#!/usr/bin/env bash
# The whole suite at awkward dates (libfaketime): a Sunday, the night of the spring DST change in Paris,
# New Year's Eve at 23:50 in Paris, a leap day. A test that passes today but not on one of these days
# depends on the real date. Slow (one full run per date): not part of CI. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v faketime >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends faketime >/dev/null
  else
    echo "faketime is missing (apt-get install faketime)." >&2
    exit 1
  fi
fi

# Times are UTC (the machine's clock); the comment gives the hour in Paris.
dates=(
  "2027-01-10 10:00:00"  # Sunday, 11:00 in Paris
  "2027-03-28 01:30:00"  # spring DST change: 03:30 in Paris, 02:00-03:00 never happened
  "2027-12-31 22:50:00"  # New Year's Eve, 23:50 in Paris
  "2028-02-29 06:15:00"  # leap day, a Tuesday before the restaurants open
)
failed=()
for when in "${dates[@]}"; do
  echo "== make test at $when UTC"
  if ! TZ=UTC faketime "$when" scripts/test.sh -q "$@"; then
    failed+=("$when")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  printf 'Failed at: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "The suite passed at every date."
