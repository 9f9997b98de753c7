"""CPU per request of each kind of request, through the whole site, in-process (no server, no network).

    DATABASE_URL=... .venv/bin/python bench/kinds_profile.py [--requests 300] [--rounds 9] [--cprofile KIND]
        [--only PREFIX,PREFIX]

Needs the demo data (`manage.py load_demo`). Each kind is one request sent again and again through the
site's WSGI handler, the kinds taking turns in each round so a busy machine slows them alike; the figure is
the median over the rounds of the CPU time of one thread per request, and the queries one request runs.
Stock Django's default middleware on `/robots.txt` is the yardstick (bench/stack_profile.py explains it).
`--cprofile KIND` prints where that kind's time goes instead (cProfile, sorted by own time). `--only` measures
the kinds whose names start with one of the prefixes (and the yardstick), for a quicker before/after.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import inprocess

inprocess.setup("kinds-profile")

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.inprocess import handler_for, stock_django_middleware  # noqa: E402

CUSTOMER = "camille.lefevre@example.com"
UNCHANGED_POLL = "tracking poll, unchanged (204)"
UNCHANGED_BOARD = "kitchen board, unchanged (204)"
# The kinds answered 204 while the screen shows the current version, and the header that sends it.
UNCHANGED = {
    UNCHANGED_POLL: "HTTP_X_BOARD_VERSION",
    UNCHANGED_BOARD: "HTTP_X_BOARD_VERSION",
}  # the same header (orders.staff.polling)
PIZZAIOLO = "pizzaiolo1.bellecour@ocpizza.example"  # the kitchen display of Lyon Bellecour (the demo's first)


def session_cookie(email: str) -> str:
    client = inprocess.signed_in(email)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def kinds() -> dict[str, tuple[list[str], dict]]:
    """name -> (middleware, WSGI environ)."""
    from orders.models import Order, Status

    factory = RequestFactory()
    signed_in = session_cookie(CUSTOMER)
    order = Order.objects.filter(customer__email=CUSTOMER, status=Status.PREPARING).first()
    site = list(settings.MIDDLEWARE)

    def environ(path: str, **headers) -> dict:
        return factory.get(path, **inprocess.HTTPS, **headers).environ

    def polled(path: str, cookie: str, version: str | None = None) -> dict:
        """A live screen's poll (HTMX), with the version the screen shows when it has one."""
        shown = {} if version is None else {"HTTP_X_BOARD_VERSION": version}
        return environ(path, HTTP_COOKIE=cookie, HTTP_HX_REQUEST="true", **shown)

    menu = "/restaurants/lyon-bellecour/"
    poll = f"/orders/{order.number}/status/"
    version = _etag(site, polled(poll, signed_in))
    cook = session_cookie(PIZZAIOLO)
    board = "/staff/kitchen/board/"
    board_version = _etag(site, polled(board, cook))
    return {
        "stock Django, /robots.txt": (stock_django_middleware(), environ("/robots.txt")),
        "/robots.txt": (site, environ("/robots.txt")),
        "menu, anonymous (cached)": (site, environ(menu)),
        "menu, signed in": (site, environ(menu, HTTP_COOKIE=signed_in)),
        UNCHANGED_POLL: (site, polled(poll, signed_in, version)),
        "tracking poll, changed (200)": (site, polled(poll, signed_in, "0")),
        UNCHANGED_BOARD: (site, polled(board, cook, board_version)),
        "kitchen board, changed (200)": (site, polled(board, cook, "0")),
    }


def _etag(middleware: list[str], environ: dict) -> str:
    _status, headers = inprocess.answer(inprocess.wsgi_handler(middleware), environ)
    return headers["ETag"].strip('"')


def queries_and_status(middleware: list[str], environ: dict) -> tuple[int, int]:
    handler = inprocess.wsgi_handler(middleware)
    with CaptureQueriesContext(connection) as queries:
        status, _headers = inprocess.answer(handler, environ)
    return len(queries), status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--cprofile", default="")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    report = inprocess.figures_apart_from_the_log()
    table = kinds()
    if args.only:
        prefixes = ("stock Django", *args.only.split(","))
        table = {name: spec for name, spec in table.items() if name.startswith(prefixes)}
    runners = {name: (handler_for(middleware), environ) for name, (middleware, environ) in table.items()}
    for run, environ in runners.values():
        for _ in range(100):
            run(environ)
    # Counted once warm: the menu's caches filled, as in production.
    counts = {name: queries_and_status(*spec) for name, spec in table.items()}
    if args.cprofile:
        run, environ = next(spec for name, spec in runners.items() if name.startswith(args.cprofile))
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            run(environ)
        profiler.disable()
        pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(40)
        pstats.Stats(profiler, stream=report).sort_stats("cumulative").print_stats(70)
        report.flush()
        return
    samples: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(args.rounds):
        # The versions move with the clock (the tracking poll's estimate to the minute, a ready ticket leaving the
        # board's recall window): read them again before each round, so an unchanged poll stays a 204.
        for name, header in UNCHANGED.items():
            if name not in table:
                continue
            middleware, environ = table[name]
            version = _etag(middleware, dict(environ, **{header: "0"}))
            runners[name] = (runners[name][0], dict(environ, **{header: version}))
        for name, (run, environ) in runners.items():
            started = time.process_time()
            for _ in range(args.requests):
                run(environ)
            samples[name].append((time.process_time() - started) / args.requests * 1e6)
    print(f"CPU microseconds per request, median of {args.rounds} rounds of {args.requests} (min-max)")
    for name, values in samples.items():
        queries, status = counts[name]
        print(
            f"{name:<34} {statistics.median(values):8.0f}  ({min(values):.0f}-{max(values):.0f})"
            f"  status {status}, {queries} queries"
        )
    report.flush()


if __name__ == "__main__":
    main()
