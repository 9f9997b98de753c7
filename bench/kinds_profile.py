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
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocpizza.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "kinds-profile-only-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("EMAIL_URL", "console://")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.stack_profile import handler_for, stock_django_middleware  # noqa: E402

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
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def kinds() -> dict[str, tuple[list[str], dict]]:
    """name -> (middleware, WSGI environ)."""
    from orders.models import Order, Status

    factory = RequestFactory()
    signed_in = session_cookie(CUSTOMER)
    order = Order.objects.filter(customer__email=CUSTOMER, status=Status.PREPARING).first()
    site = list(settings.MIDDLEWARE)

    def environ(path: str, **headers) -> dict:
        return factory.get(path, HTTP_X_FORWARDED_PROTO="https", secure=True, **headers).environ

    menu = "/restaurants/lyon-bellecour/"
    poll = f"/orders/{order.number}/status/"
    version = _etag(site, environ(poll, HTTP_COOKIE=signed_in, HTTP_HX_REQUEST="true"))
    cook = session_cookie(PIZZAIOLO)
    board = "/staff/kitchen/board/"
    board_version = _etag(site, environ(board, HTTP_COOKIE=cook, HTTP_HX_REQUEST="true"))
    return {
        "stock Django, /robots.txt": (stock_django_middleware(), environ("/robots.txt")),
        "/robots.txt": (site, environ("/robots.txt")),
        "menu, anonymous (cached)": (site, environ(menu)),
        "menu, signed in": (site, environ(menu, HTTP_COOKIE=signed_in)),
        UNCHANGED_POLL: (
            site,
            environ(poll, HTTP_COOKIE=signed_in, HTTP_HX_REQUEST="true", HTTP_X_BOARD_VERSION=version),
        ),
        "tracking poll, changed (200)": (
            site,
            environ(poll, HTTP_COOKIE=signed_in, HTTP_HX_REQUEST="true", HTTP_X_BOARD_VERSION="0"),
        ),
        UNCHANGED_BOARD: (
            site,
            environ(board, HTTP_COOKIE=cook, HTTP_HX_REQUEST="true", HTTP_X_BOARD_VERSION=board_version),
        ),
        "kitchen board, changed (200)": (
            site,
            environ(board, HTTP_COOKIE=cook, HTTP_HX_REQUEST="true", HTTP_X_BOARD_VERSION="0"),
        ),
    }


def _etag(middleware: list[str], environ: dict) -> str:
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    with override_settings(MIDDLEWARE=middleware):
        handler = WSGIHandler()
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured.update(headers)

    handler(dict(environ, **{"wsgi.input": io.BytesIO(b"")}), start_response)
    return captured["ETag"].strip('"')


def queries_and_status(middleware: list[str], environ: dict) -> tuple[int, int]:
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    with override_settings(MIDDLEWARE=middleware):
        handler = WSGIHandler()
    status = []

    def start_response(line, headers, exc_info=None):
        status.append(int(line.split()[0]))

    with CaptureQueriesContext(connection) as queries:
        handler(dict(environ, **{"wsgi.input": io.BytesIO(b"")}), start_response)
    return len(queries), status[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--cprofile", default="")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    # The access log's handler holds the stdout of its start: the descriptor itself goes to /dev/null, the
    # figures to a copy of it.
    report = os.fdopen(os.dup(1), "w")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = report
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
