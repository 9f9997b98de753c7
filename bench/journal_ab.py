"""What the sales record costs order placement (issue 14): the same placement run with and without the
journal's append, on one prepared database, the two servers taking turns.

The "without" server runs from a throwaway git worktree of HEAD (under .tmp/bench/) in which
`orders/sales_record.py`'s `_append` returns at once; nothing else differs. Each turn empties the cache table
first (the sign-in rate limit and the menu cache start alike), warms the server up for 3 s, then measures
`--duration` seconds. The turns alternate (A B, B A, ...) so that a database growing under the runs weighs on
both alike. Prints each turn and the medians; writes nothing to results.json (a comparison, not a figure).

    .venv/bin/python bench/journal_ab.py --rounds 4
"""

from __future__ import annotations

import shlex
import statistics
import subprocess
import sys
import time

import psycopg
from harness import ROOT, WORK, Server, log, prepared_database, procfile_web_command, script_arguments
from run import placement_run

APPEND = "money) -> SalesEntry:\n"


def worktree_without_journal() -> str:
    """A worktree of HEAD whose journal append does nothing; its path."""
    path = WORK / "without-journal"
    subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, capture_output=True)
    subprocess.run(["git", "worktree", "add", "--detach", str(path), "HEAD"], cwd=ROOT, check=True)
    (path / ".venv").symlink_to(ROOT / ".venv")
    module = path / "orders" / "sales_record.py"
    text = module.read_text()
    if APPEND not in text:
        raise SystemExit("orders/sales_record.py's _append has moved: update bench/journal_ab.py.")
    module.write_text(text.replace(APPEND, APPEND + "    return None\n", 1))
    return str(path)


def turn(database, fixtures, tree: str, name: str, duration: int) -> dict:
    with psycopg.connect(database.url) as connection:
        connection.execute("DELETE FROM django_cache")
    command = "bash -c " + shlex.quote(f"cd {tree} && exec {procfile_web_command()}")
    server = Server(database.url, command=command, name=f"journal-ab-{name}")
    server.start()
    try:
        placement_run(server.base, fixtures, 3)
        return placement_run(server.base, fixtures, duration)
    finally:
        server.stop()
        time.sleep(1)


def main() -> int:
    parser = script_arguments(__doc__)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    without = worktree_without_journal()
    trees = [("with journal", str(ROOT)), ("without journal", without)]
    figures: dict[str, list[dict]] = {name: [] for name, _ in trees}
    try:
        with prepared_database(customers=8, contention_portions=60) as (database, fixtures):
            for round_ in range(args.rounds):
                for name, tree in trees if round_ % 2 == 0 else trees[::-1]:
                    result = turn(database, fixtures, tree, name.replace(" ", "-"), args.duration)
                    figures[name].append(result)
                    log(
                        f"round {round_}, {name}: {result['orders_per_s']} orders/s, p99 {result['p99_ms']} ms, "
                        f"{result['orders_refused']} refused, {result.get('errors_5xx', 0)} server errors"
                    )
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", without], cwd=ROOT, capture_output=True)
    for name, results in figures.items():
        rates = [r["orders_per_s"] for r in results]
        print(f"{name}: {rates} orders/s, median {statistics.median(rates)}")
    return 1 if any(r.get("errors_5xx") for results in figures.values() for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
