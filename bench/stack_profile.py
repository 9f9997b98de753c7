"""What each middleware costs per request: the site's stack called in-process, without a server or a network.

    DATABASE_URL=... .venv/bin/python bench/stack_profile.py [--path /robots.txt] [--requests 3000]

For a path, the stack is built up one middleware at a time in the site's order (each prefix of MIDDLEWARE,
so a middleware always finds those it needs before it), each prefix answers `--requests` requests after a
warm-up, and the time per request is the best of seven rounds, the prefixes taking turns in each round so a
busy machine slows them alike; the step from one prefix to the next is what that middleware costs. The last line is Django's own default stack (`startproject`'s MIDDLEWARE) on the same
view, the floor the site's stack is compared with. CPU time of one thread: the figures hold on a busy
machine, unlike requests per second. Logs go where production sends them (stdout), here to /dev/null.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import inprocess

inprocess.setup("stack-profile")

from django.conf import settings  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from bench.inprocess import handler_for, stock_django_middleware  # noqa: E402


def timings(stacks: list[list[str]], environ: dict, requests: int, rounds: int = 7) -> list[float]:
    """Best microseconds per request of each stack over `rounds` rounds, the stacks taking turns."""
    runners = [handler_for(stack) for stack in stacks]
    for run in runners:
        for _ in range(200):
            run(environ)
    best = [float("inf")] * len(runners)
    for _ in range(rounds):
        for index, run in enumerate(runners):
            started = time.process_time()
            for _ in range(requests):
                run(environ)
            best[index] = min(best[index], (time.process_time() - started) / requests * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", default="/robots.txt")
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    environ = RequestFactory().get(args.path, **inprocess.HTTPS).environ
    inprocess.figures_apart_from_the_log()
    stack = list(settings.MIDDLEWARE)
    prefixes = [stack[:count] for count in range(len(stack) + 1)]
    figures = timings([*prefixes, stock_django_middleware()], environ, args.requests)
    print(f"{args.path}: CPU microseconds per request (best of 7 rounds of {args.requests})")
    print(f"{'no middleware':<62} {figures[0]:8.1f}")
    for count, name in enumerate(stack, start=1):
        print(f"+ {name:<60} {figures[count]:8.1f}  ({figures[count] - figures[count - 1]:+6.1f})")
    print(f"{'stock Django default stack':<62} {figures[-1]:8.1f}")
    print(f"the site's stack costs {figures[len(stack)] / figures[-1]:.2f} x stock Django's on this path")


if __name__ == "__main__":
    main()
